// Event-camera and tactile event data: N-MNIST and ST-MNIST readers, Tonic's ToFrame and Denoise.
export { makeEvents, eventsFrom, takeEvents, sliceEvents, type Events, type SensorSize } from './events.js';
export { parseNMNIST, encodeNMNIST, readNMNISTFile, writeNMNISTFile, NMNIST, NMNIST_SENSOR_SIZE, EventFolder } from './nmnist.js';
export { parseSTMNIST, readSTMNISTFile, stmnistEvents, STMNIST, STMNIST_SENSOR_SIZE } from './stmnist.js';
export { parseMat, encodeMat, type MatArray } from './mat.js';
export { Denoise, ToFrame, PadTensors, type DenoiseOptions, type ToFrameOptions } from './transforms.js';
