"""librosa log-Mel throughput on EMO-DB, the side-by-side figure for tools/bench/features-bench.ts.

Same work: read each WAV (soundfile), 16 kHz, 25 ms Hann window (400 samples), 10 ms hop (160),
512-point FFT, center with reflect padding, 128 Slaney Mel bins, power, power_to_db(ref=1, amin=1e-10,
top_db=None); median of 3 passes after a warm-up, printed as audio-seconds per wall second and per
CPU second of this process (time.process_time: numpy may use several threads; the CPU figure shows it).
Run: tools/.venv/bin/python tools/bench/features-librosa.py [wav-dir]
"""
import os
import sys
import time

import librosa
import numpy as np
import soundfile as sf

here = os.path.dirname(os.path.abspath(__file__))
wav_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '..', '..', '..', 'shared', 'data', 'emodb', 'wav')
files = sorted(os.path.join(wav_dir, f) for f in os.listdir(wav_dir) if f.endswith('.wav'))


def one_pass():
    t0 = time.perf_counter()
    c0 = time.process_time()
    audio_s = 0.0
    frames = 0
    for f in files:
        y, sr = sf.read(f, dtype='float32')
        audio_s += len(y) / sr
        m = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=512, hop_length=160, win_length=400, window='hann',
                                           center=True, pad_mode='reflect', power=2.0, n_mels=128)
        d = librosa.power_to_db(m, ref=1.0, amin=1e-10, top_db=None)
        frames += d.shape[1]
    return time.perf_counter() - t0, audio_s, frames, time.process_time() - c0


one_pass()  # warm-up: librosa builds and caches its filterbank, numba compiles
runs = sorted(one_pass() for _ in range(3))
sec, audio_s, frames, _ = runs[1]
cpu = sorted(r[3] for r in runs)[1]
print(f'files {len(files)}, audio {audio_s:.1f} s, frames {frames}')
print('passes (s): ' + ', '.join(f'{r[0]:.3f}' for r in runs) + '; cpu (s): ' + ', '.join(f'{r[3]:.3f}' for r in runs))
blas = 'unset' if 'OPENBLAS_CORETYPE' not in os.environ and 'OPENBLAS_L2_SIZE' not in os.environ else 'set'
print(f'librosa log-Mel: {audio_s / sec:.0f} audio-s/s (median of 3), {audio_s / cpu:.0f} per cpu-s; OPENBLAS_* {blas}; '
      f'load {os.getloadavg()[0]:.2f}')
