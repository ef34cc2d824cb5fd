export * from './types';
export * from './chat-template';
export { SCHEMAS, parseJsonl, readJsonl, toJsonl, writeJsonl, exportData, dataFileName, JsonlDataSource } from './jsonl';
export { exportWorld } from './export';
