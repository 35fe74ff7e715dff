"""Train an MLP on the bundled UCI digits and report accuracy and training speed.

Run with ``python -m graphkeras.examples.digits_mlp [--epochs N] [--batch-size B]``.
It prints the model summary, the time the first ``fit`` call took (which
includes compiling the programs), the test accuracy and the training
throughput in samples per second, measured after compilation.
"""

import argparse
import time

import numpy as np

import graphkeras
from graphkeras.datasets import digits
from graphkeras.layers import Dense, Input


def load():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    x_train = x_train.reshape(len(x_train), 64).astype("float32") / 16.0
    x_test = x_test.reshape(len(x_test), 64).astype("float32") / 16.0
    return (x_train, y_train), (x_test, y_test)


def build(hidden=64):
    model = graphkeras.Sequential([
        Input(shape=(64,)),
        Dense(hidden, activation="relu"),
        Dense(hidden, activation="relu"),
        Dense(10, activation="softmax"),
    ], name="digits_mlp")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    graphkeras.utils.set_random_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = load()
    model = build()
    model.summary()

    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=1, batch_size=args.batch_size, verbose=0)
    first = time.perf_counter() - start

    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=args.epochs - 1, batch_size=args.batch_size, verbose=0)
    seconds = time.perf_counter() - start
    throughput = (args.epochs - 1) * len(x_train) / seconds

    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"first fit call (compiles the program): {first:.2f} s")
    print(f"test loss: {loss:.4f}")
    print(f"test accuracy: {accuracy:.4f}")
    print(f"training throughput: {throughput:,.0f} samples/s "
          f"(batch {args.batch_size}, {args.epochs - 1} epochs after the first)")
    return accuracy


if __name__ == "__main__":
    np.set_printoptions(precision=4)
    main()
