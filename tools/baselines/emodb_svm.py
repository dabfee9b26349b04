"""The classic reference of issue #15, outside the framework: per-utterance MFCC statistics + RBF SVM.

40 MFCC means and stds, delta-MFCC stds, F0 (YIN) and RMS-energy statistics, standardised on the
training side, an RBF SVM (C 10, balanced class weights), leave-one-speaker-out over EMO-DB's 4-class
subset (the test speaker out; everyone else trains). --speaker-norm z-scores each speaker's features
by that speaker's own statistics (the same transductive assumption as features.normalisation: speaker).

    python3 tools/baselines/emodb_svm.py ../shared/data/emodb [--speaker-norm]

A reference tool (librosa, scikit-learn from pip), never a runtime dependency of the framework.
"""
import glob
import os
import sys

import librosa
import numpy as np
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

EMOTIONS = {"W": "angry", "F": "happy", "N": "neutral", "T": "sad"}


def features(path):
    y, sr = librosa.load(path, sr=16000)
    mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=40, n_fft=640, hop_length=160)
    delta = librosa.feature.delta(mfcc)
    f0 = librosa.yin(y, fmin=60, fmax=500, sr=sr, frame_length=1024, hop_length=160)
    rms = librosa.feature.rms(y=y, frame_length=640, hop_length=160)[0]
    logf0 = np.log(f0)
    stats = lambda v: [v.mean(), v.std(), np.percentile(v, 10), np.percentile(v, 90)]
    return np.concatenate([mfcc.mean(1), mfcc.std(1), delta.std(1), stats(logf0), stats(np.log(rms + 1e-6))])


def main():
    root = sys.argv[1]
    speaker_norm = "--speaker-norm" in sys.argv
    files = sorted(glob.glob(os.path.join(root, "wav", "*.wav")))
    X = np.array([features(f) for f in files])
    names = [os.path.basename(f) for f in files]
    spk = np.array([n[:2] for n in names])
    y = np.array([EMOTIONS[n[5]] for n in names])
    if speaker_norm:
        for s in np.unique(spk):
            m = spk == s
            X[m] = (X[m] - X[m].mean(0)) / (X[m].std(0) + 1e-8)
    uas = []
    for s in np.unique(spk):
        train, test = spk != s, spk == s
        scaler = StandardScaler().fit(X[train])
        clf = SVC(C=10, kernel="rbf", class_weight="balanced").fit(scaler.transform(X[train]), y[train])
        pred = clf.predict(scaler.transform(X[test]))
        recalls = [np.mean(pred[y[test] == c] == c) for c in EMOTIONS.values()]
        uas.append(np.mean(recalls))
        print(f"fold {s}: UA {100 * uas[-1]:.1f}")
    print(f"fold-averaged UA {100 * np.mean(uas):.2f} +- {100 * np.std(uas, ddof=1):.2f} (speaker-norm={speaker_norm})")


if __name__ == "__main__":
    main()
