#!/usr/bin/env python3
"""The TF book's MNIST classifier, trained with Keras on TensorFlow (CPU).

A peer for graphrt's examples/fashion_mnist_mlp and libtorch_mlp.cc; see
README.md beside this file.

  keras_mlp.py [--data DIR] --mode step  [--threads N] [--warmup 200] [--steps 1000]
  keras_mlp.py [--data DIR] --mode train [--threads N] [--epochs 10] [--seed 1]
"""
import argparse
import gzip
import os
import struct
import sys
import time

import numpy as np

VALIDATION = 5000


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    zero, dtype, rank = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    dims = struct.unpack(">" + "I" * rank, raw[4:4 + 4 * rank])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank)
    return data.reshape(dims)


def load(data_dir, prefix):
    x = read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte.gz"))
    y = read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte.gz")).astype(np.int64)
    if x.shape[1:] != (28, 28) or len(x) != len(y):
        raise ValueError(f"unexpected IDX shapes for {prefix}")
    return x, y


def start_tensorflow(threads, seed):
    """Imports TensorFlow with `threads` inter- and intra-op threads (pools are
    sized before it runs anything) and Keras seeded; returns (tf, keras)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf  # after the environment is set

    tf.config.threading.set_inter_op_parallelism_threads(threads)
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    keras = tf.keras
    keras.utils.set_random_seed(seed)
    return tf, keras


def time_steps(model, x, y, batch, warmup, steps, seed):
    """`warmup` then `steps` train_on_batch calls over a seeded permutation of
    the rows, cycled; gathering the batch is part of the step, as in the other
    peers. Returns each timed step's microseconds and the mean loss (read on
    the host every step, so no step is left pending)."""
    order = np.random.default_rng(seed).permutation(len(x))
    pos = 0

    def step():
        nonlocal pos
        if pos + batch > len(order):
            pos = 0
        rows = order[pos:pos + batch]
        pos += batch
        return float(model.train_on_batch(x[rows], y[rows]))

    sink = sum(step() for _ in range(warmup))
    us = np.empty(steps)
    for i in range(steps):
        t0 = time.perf_counter()
        sink += step()
        us[i] = (time.perf_counter() - t0) * 1e6
    return us, sink / (warmup + steps)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--mode", choices=["step", "train"], default="step")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()

    tf, keras = start_tensorflow(args.threads, args.seed)

    x_all, y_all = load(args.data, "train")
    x_test, y_test = load(args.data, "t10k")
    x_val, y_val = x_all[:VALIDATION], y_all[:VALIDATION]
    x_train, y_train = x_all[VALIDATION:], y_all[VALIDATION:]

    model = keras.Sequential([
        keras.Input(shape=(28, 28), dtype="uint8"),
        keras.layers.Flatten(),
        keras.layers.Rescaling(1.0 / 255),
        keras.layers.Dense(100, activation="relu"),  # glorot_uniform kernel, zero bias by default
        keras.layers.Dense(10),
    ])
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.SGD(learning_rate=args.lr),
        metrics=["accuracy"] if args.mode == "train" else [],
    )
    print(f"tensorflow {tf.__version__}, keras {keras.__version__}; "
          f"intra-op threads {tf.config.threading.get_intra_op_parallelism_threads()}, "
          f"inter-op threads {tf.config.threading.get_inter_op_parallelism_threads()}; "
          f"train {len(x_train)}, val {len(x_val)}, test {len(x_test)}", flush=True)

    if args.mode == "step":
        us, sink = time_steps(model, x_train, y_train, args.batch, args.warmup, args.steps,
                              args.seed)
        print(f"keras step: batch={args.batch} threads={args.threads} warmup={args.warmup} steps={args.steps} "
              f"jit_compile={model.jit_compile}")
        print(f"step_us median={np.median(us):.1f} p10={np.percentile(us, 10):.1f} "
              f"p90={np.percentile(us, 90):.1f} mean={us.mean():.1f} "
              f"(loss sink {sink:.3f})")
        return 0

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            s = time.perf_counter() - self.t0  # includes the validation pass, as fit does
            self.total = getattr(self, "total", 0.0) + s
            print(f"epoch {epoch + 1:2d}: loss={logs['loss']:.4f} acc={logs['accuracy']:.4f} "
                  f"val_loss={logs['val_loss']:.4f} val_acc={logs['val_accuracy']:.4f} epoch_s={s:.2f}",
                  flush=True)

    timer = EpochTimer()
    model.fit(x_train, y_train, batch_size=args.batch, epochs=args.epochs, shuffle=True,
              validation_data=(x_val, y_val), verbose=0, callbacks=[timer])
    print(f"jit_compile={model.jit_compile}")
    test_loss, test_acc = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)
    print(f"total training s: {timer.total:.2f}; test loss: {test_loss:.4f}")
    print(f"test accuracy: {test_acc:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
