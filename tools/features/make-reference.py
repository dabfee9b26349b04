"""Reference features from librosa for @ser/features' parity tests.

Writes packages/features/src/fixtures/:
  signals/*.wav       the analysed signals: the first 1 s of 3 EMO-DB clips (16-bit PCM, as in the corpus)
                      and 2 synthetic signals (32-bit float WAV), plus emodb-0.flac (the first clip as FLAC)
  reference.json      the configs (as @ser/features FeatureConfig) and, per case, frames, bins and the
                      offset (in float32 values) of its matrix in reference.f32
  reference.f32       the matrices, row-major [frames, bins], float32 little-endian

Cases: the paper's framing (40 ms Hamming, 10 ms hop, nFft 1024) as log-Mel dB, STFT magnitude dB and MFCC;
librosa.feature.melspectrogram's defaults (n_fft 2048, hop 512, Hann, Slaney scale + norm, power) with
power_to_db's default top_db = 80; and a variant (HTK scale, no norm, magnitude, 50-7600 Hz, pre-emphasis 0.97,
center = False, 64 bands). librosa runs in float64 here (float64 input and filterbank) so the reference is
exact to well below the tests' 1e-3 dB tolerance.

Run (from the repository root):
  python3 -m venv tools/.venv && tools/.venv/bin/pip install librosa soundfile
  tools/.venv/bin/python tools/features/make-reference.py [path/to/emodb/wav]
"""
import json
import os
import sys

import librosa
import numpy as np
import soundfile as sf

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
OUT = os.path.join(ROOT, 'packages', 'features', 'src', 'fixtures')
EMODB = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, '..', 'shared', 'data', 'emodb', 'wav')
SR = 16000

BASE = {
    'sampleRateHz': SR, 'kind': 'logmel', 'windowMs': 40, 'hopMs': 10, 'nFft': 1024, 'window': 'hamming',
    'center': True, 'preEmphasis': 0, 'spectrum': 'power', 'nMels': 128, 'fMinHz': 0, 'fMaxHz': None,
    'melScale': 'slaney', 'melNorm': 'slaney', 'compression': {'type': 'db', 'floor': 1e-10, 'topDb': None},
    'nMfcc': 40, 'normalisation': 'none', 'segment': None,
}
CONFIGS = {
    'paper-logmel': dict(BASE),
    'paper-stft': dict(BASE, kind='stft', spectrum='magnitude', compression={'type': 'db', 'floor': 1e-5, 'topDb': None}),
    'paper-mfcc': dict(BASE, kind='mfcc'),
    'librosa-defaults': dict(BASE, windowMs=128, hopMs=32, nFft=2048, window='hann',
                             compression={'type': 'db', 'floor': 1e-10, 'topDb': 80}),
    'variant': dict(BASE, window='hann', center=False, preEmphasis=0.97, spectrum='magnitude', nMels=64, fMinHz=50,
                    fMaxHz=7600, melScale='htk', melNorm='none', compression={'type': 'db', 'floor': 1e-5, 'topDb': None}),
}
# which configs each signal is analysed with (the STFT case is large: one real clip and one synthetic)
PLAN = {
    'emodb-0': ['paper-logmel', 'paper-stft', 'paper-mfcc', 'librosa-defaults', 'variant'],
    'emodb-1': ['paper-logmel', 'paper-mfcc', 'librosa-defaults', 'variant'],
    'emodb-2': ['paper-logmel', 'paper-mfcc', 'librosa-defaults', 'variant'],
    'synth-chirp': ['paper-logmel', 'paper-stft', 'paper-mfcc', 'librosa-defaults', 'variant'],
    'synth-tones': ['paper-logmel', 'paper-mfcc', 'librosa-defaults', 'variant'],
}


def features(y, c):
    win = int(round(c['windowMs'] * SR / 1000))
    hop = int(round(c['hopMs'] * SR / 1000))
    if c['preEmphasis'] > 0:
        y = librosa.effects.preemphasis(y, coef=c['preEmphasis'])
    S = np.abs(librosa.stft(y, n_fft=c['nFft'], hop_length=hop, win_length=win, window=c['window'],
                            center=c['center'], pad_mode='reflect', dtype=np.complex128))
    if c['spectrum'] == 'power':
        S = S ** 2
    if c['kind'] != 'stft':
        fb = librosa.filters.mel(sr=SR, n_fft=c['nFft'], n_mels=c['nMels'], fmin=c['fMinHz'], fmax=c['fMaxHz'],
                                 htk=c['melScale'] == 'htk', norm='slaney' if c['melNorm'] == 'slaney' else None,
                                 dtype=np.float64)
        S = fb @ S
    comp = c['compression']
    if c['spectrum'] == 'power':
        D = librosa.power_to_db(S, ref=1.0, amin=comp['floor'], top_db=comp['topDb'])
    else:
        D = librosa.amplitude_to_db(S, ref=1.0, amin=comp['floor'], top_db=comp['topDb'])
    if c['kind'] == 'mfcc':
        D = librosa.feature.mfcc(S=D, n_mfcc=c['nMfcc'])
    return D.T  # [frames, bins]


def synth_chirp(n):
    rng = np.random.default_rng(7)
    t = np.arange(n) / SR
    f0, f1 = 100.0, 7000.0
    phase = 2 * np.pi * (f0 * t + (f1 - f0) * t ** 2 / (2 * t[-1]))
    return (0.4 * np.sin(phase) + 0.02 * rng.standard_normal(n)).astype(np.float32)


def synth_tones(n):
    t = np.arange(n) / SR
    env = np.sin(np.pi * t / t[-1]) ** 2
    y = sum(a * np.sin(2 * np.pi * f * t) for a, f in [(0.3, 220.0), (0.2, 1250.0), (0.1, 3300.0), (0.05, 6100.0)])
    return (env * y).astype(np.float32)


def main():
    os.makedirs(os.path.join(OUT, 'signals'), exist_ok=True)
    clips = sorted(f for f in os.listdir(EMODB) if f.endswith('.wav'))
    picks = [clips[0], clips[len(clips) // 3], clips[2 * len(clips) // 3]]
    signals = {}
    for i, name in enumerate(picks):
        y, sr = sf.read(os.path.join(EMODB, name), dtype='int16')
        assert sr == SR, (name, sr)
        y = y[:SR]
        sf.write(os.path.join(OUT, 'signals', f'emodb-{i}.wav'), y, SR, subtype='PCM_16')
        if i == 0:
            sf.write(os.path.join(OUT, 'signals', 'emodb-0.flac'), y, SR, subtype='PCM_16')
        signals[f'emodb-{i}'] = (y.astype(np.float64) / 32768.0, f'{name} (first 1 s)')
    for key, fn in [('synth-chirp', synth_chirp), ('synth-tones', synth_tones)]:
        y = fn(SR // 2)
        sf.write(os.path.join(OUT, 'signals', f'{key}.wav'), y, SR, subtype='FLOAT')
        signals[key] = (y.astype(np.float64), 'synthetic, 0.5 s')

    blob = []
    cases = []
    offset = 0
    for key, cfgs in PLAN.items():
        y, source = signals[key]
        for cname in cfgs:
            D = features(y, CONFIGS[cname]).astype(np.float32)
            cases.append({'signal': key, 'file': f'signals/{key}.wav', 'source': source, 'config': cname,
                          'frames': int(D.shape[0]), 'bins': int(D.shape[1]), 'offset': offset})
            blob.append(np.ascontiguousarray(D).reshape(-1))
            offset += D.size
    np.concatenate(blob).astype('<f4').tofile(os.path.join(OUT, 'reference.f32'))
    meta = {'generator': 'tools/features/make-reference.py', 'librosa': librosa.__version__, 'numpy': np.__version__,
            'configs': CONFIGS, 'cases': cases}
    with open(os.path.join(OUT, 'reference.json'), 'w') as f:
        json.dump(meta, f, indent=1)
        f.write('\n')
    total = sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fns in os.walk(OUT) for fn in fns)
    print(f'{len(cases)} cases, {offset} values; fixtures {total / 1024:.0f} KiB in {OUT}')


main()
