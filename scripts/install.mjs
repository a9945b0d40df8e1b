// `npm install` hook: builds the native addon from source unless a usable binary is already there.
import { buildNative } from './build-native.mjs';

try {
  buildNative();
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
