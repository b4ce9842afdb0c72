export * from './address.js';
export * from './templates.js';
