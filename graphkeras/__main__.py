"""``python -m graphkeras inspect FILE``: what a saved model is and how it compiles.

Prints the architecture (``model.summary()``), the parameter counts and the IR
of one compiled program at one compiler stage, as text, Graphviz dot or JSON.
The ``train`` and ``test`` programs need a file saved from a compiled model
(its compile arguments are in the file).

Examples::

    python -m graphkeras inspect model.keras
    python -m graphkeras inspect model.h5 --program train --stage autodiff --format dot
"""

import argparse
import sys

PROGRAM_CHOICES = ("predict", "test", "train")


def _parser():
    parser = argparse.ArgumentParser(prog="python -m graphkeras",
                                     description="graphkeras command-line tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    inspect = commands.add_parser(
        "inspect", help="print the architecture, parameter counts and compiled IR of a saved "
                        "model")
    inspect.add_argument("file", help="a model file: .keras or .h5 (Keras 2, Keras 3 or "
                                      "graphkeras)")
    inspect.add_argument("--program", choices=PROGRAM_CHOICES, default="predict",
                         help="which compiled program to show (default: predict)")
    inspect.add_argument("--stage", default="final",
                         help="the compiler stage after which to show the IR (default: final)")
    inspect.add_argument("--format", choices=("text", "dot", "json"), default="text",
                         help="how to print the IR (default: text)")
    inspect.add_argument("--unsafe", action="store_true",
                         help="load with safe_mode=False (allows stored Python lambdas; "
                              "only for files you trust)")
    return parser


def inspect_file(path, program="predict", stage="final", fmt="text", unsafe=False,
                 out=None):
    """Print the report for ``path`` to ``out`` (stdout by default); return an exit code."""
    out = out or sys.stdout
    from graphkeras.saving import load_model
    model = load_model(path, compile=program != "predict", safe_mode=not unsafe)

    def emit(line=""):
        print(line, file=out)

    if program != "predict" and getattr(model, "_compile_state", None) is None:
        print(f"error: {path} was saved from a model that was not compiled, so it has no "
              f"`{program}` program; use --program predict.", file=sys.stderr)
        return 2
    emit(f"File: {path}")
    model.summary(print_fn=emit)
    trainable = sum(int(_size(v.shape)) for v in model.trainable_weights)
    total = sum(int(_size(v.shape)) for v in model.weights)
    emit(f"Parameters: {total:,} total, {trainable:,} trainable, "
         f"{total - trainable:,} non-trainable")
    emit(f"IR of program {program!r} after stage {stage!r} ({fmt}):")
    try:
        ir = model.get_ir(program, stage)
    except (ValueError, KeyError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if fmt == "dot":
        emit(ir.to_dot())
    elif fmt == "json":
        emit(ir.to_json())
    else:
        emit(str(ir))
    return 0


def _size(shape):
    n = 1
    for d in shape:
        n *= int(d)
    return n


def main(argv=None):
    args = _parser().parse_args(argv)
    if args.command == "inspect":
        try:
            return inspect_file(args.file, args.program, args.stage, args.format, args.unsafe)
        except (OSError, ValueError, NotImplementedError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
