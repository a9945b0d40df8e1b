// The training report lives with the shipped training CLI (lib/train/report); re-exported here for scripts.
export * from '../../lib/train/report/index.js';
