// The one TensorFlow.js instance every package uses. The backend is chosen by initEngine().
import * as tf from '@tensorflow/tfjs';

export { tf };
