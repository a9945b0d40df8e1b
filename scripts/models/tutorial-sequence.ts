// The sequence-engine forward ships with the training CLI (lib/train); re-exported here for tests and benchmarks.
export { forwardSequence } from '../../lib/train/tutorial_sequence.js';
