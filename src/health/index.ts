export { RealtimeHealthIndicator } from './realtime-health.indicator.js';
