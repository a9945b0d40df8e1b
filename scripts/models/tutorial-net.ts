// The tutorial network ships with the training CLI (lib/train); re-exported here for tests and benchmarks.
export { Net, type TutorialNetOptions } from '../../lib/train/tutorial_net.js';
