/** Entry point: defines every element; index.html places the shell. */
import './app/portal-app.js';
import { registerServiceWorker } from './offline/register.js';

registerServiceWorker();
