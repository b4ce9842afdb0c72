/** Entry point of the staff app. */
import './components/app-root.js';
import { registerServiceWorker } from './offline/register.js';

void registerServiceWorker();
