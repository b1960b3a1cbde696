#!/usr/bin/env python3
"""Issue 17's CNN, trained with Keras 3 on TensorFlow (CPU, oneDNN on).

A peer for graphrt's examples/fashion_mnist_cnn (its step: cnn_step_bench)
and libtorch_cnn.cc; see README.md beside this file ("The CNN peers").

  keras_cnn.py [--data DIR] --mode step  [--threads N] [--warmup 30] [--steps 200]
  keras_cnn.py [--data DIR] --mode train [--threads N] [--epochs 3] [--seed 1]

Model: uint8 28x28x1 -> x/255 -> Conv2D(32, 3x3, same, relu) -> MaxPool(2)
-> Conv2D(64, 3x3, same, relu) -> MaxPool(2) -> Flatten -> Dense(128, relu)
-> Dense(10) logits; sparse softmax cross-entropy; SGD with momentum 0.9,
learning rate 0.01, batch 64; Keras' default initialisers (Glorot uniform,
zero biases). Data as keras_mlp.py: the first 5,000 training images held out.
"""
import argparse
import sys
import time

import numpy as np

from keras_mlp import VALIDATION, load, start_tensorflow, time_steps

# Multiply-adds of one image's forward pass; the backward pass costs twice the
# forward less the first layer's input gradient (nobody needs it). A step is
# 2 * batch * (forward + backward) FLOP: 1.60 GFLOP at batch 64.
FORWARD_MACS = 28 * 28 * 32 * 9 + 14 * 14 * 64 * 9 * 32 + 7 * 7 * 64 * 128 + 128 * 10
FIRST_LAYER_MACS = 28 * 28 * 32 * 9


def step_flops(batch):
    return 2 * batch * (3 * FORWARD_MACS - FIRST_LAYER_MACS)


def build(keras):
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1), dtype="uint8"),
        layers.Rescaling(1.0 / 255),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(10),
    ])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--mode", choices=["step", "train"], default="step")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=30)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()

    tf, keras = start_tensorflow(args.threads, args.seed)

    x_all, y_all = load(args.data, "train")
    x_test, y_test = load(args.data, "t10k")
    x_all, x_test = x_all[..., None], x_test[..., None]
    x_val, y_val = x_all[:VALIDATION], y_all[:VALIDATION]
    x_train, y_train = x_all[VALIDATION:], y_all[VALIDATION:]

    model = build(keras)
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.SGD(learning_rate=args.lr, momentum=0.9),
        metrics=["accuracy"] if args.mode == "train" else [],
    )
    print(f"tensorflow {tf.__version__}, keras {keras.__version__}; "
          f"intra-op threads {tf.config.threading.get_intra_op_parallelism_threads()}, "
          f"inter-op threads {tf.config.threading.get_inter_op_parallelism_threads()}", flush=True)

    if args.mode == "step":
        us, sink = time_steps(model, x_train, y_train, args.batch, args.warmup, args.steps,
                              args.seed)
        median = np.median(us)
        print(f"keras cnn step: batch={args.batch} threads={args.threads} warmup={args.warmup} "
              f"steps={args.steps} jit_compile={model.jit_compile}")
        print(f"step_us median={median:.1f} p10={np.percentile(us, 10):.1f} "
              f"p90={np.percentile(us, 90):.1f} mean={us.mean():.1f} "
              f"gflops={step_flops(args.batch) / median / 1e3:.1f} "
              f"(loss sink {sink:.3f})")
        return 0

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            s = time.perf_counter() - self.t0  # includes the validation pass
            print(f"epoch {epoch + 1}: loss={logs['loss']:.4f} acc={logs['accuracy']:.4f} "
                  f"val_acc={logs['val_accuracy']:.4f} epoch_s={s:.1f}", flush=True)

    model.fit(x_train, y_train, batch_size=args.batch, epochs=args.epochs, shuffle=True,
              validation_data=(x_val, y_val), verbose=0, callbacks=[EpochTimer()])
    _, test_acc = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)
    print(f"test accuracy: {test_acc:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
