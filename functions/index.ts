// The deployed bundle (dist/index.js): the monitor (`index.handler`) and its failure handler (`index.watchdog`).
export { createHandler, handler } from './refresh-monitor';
export { createWatchdog, watchdog } from './watchdog';
