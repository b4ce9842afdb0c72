export * from './mailer.js';
export { emlFileName } from './eml-file.js';
