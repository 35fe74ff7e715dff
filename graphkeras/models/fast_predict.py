"""The shortest path from a NumPy batch to a prediction, for repeated small calls.

``predict`` on a few rows is dominated by Python: checking the data,
looking up the program, making sure every weight lives in the arena.
After one full ``predict``, ``FastPredict`` remembers where the input and
output live and which program to call. A later call with an array of the same
sample shape and dtype costs one copy in, one compiled call and one copy out;
anything that could have moved storage or changed the program (a relayout, a
rebinding, a recompile, a change of a ``trainable`` flag) makes it step aside
for the full path.
"""

import numpy as np

from compiler.kernels.driver import run_calls
from compiler.runtime import Arena
from graphkeras import variables


class FastPredict:
    """Cached input/output locations of a single-input, single-output predict program."""

    def __init__(self, model, program, sample_shape):
        self.model = model
        self.program = program
        self.entries = program.entries
        self.arena = model._arena
        self.version = self.arena.version
        self.moves = Arena.moves
        self.trainable_changes = variables.trainable_changes()
        self.programs = model._programs.generation
        self.sample_shape = tuple(sample_shape)
        self.dtype = self.arena.dtype
        self.capacity = program.capacity
        x_slot = program.input_slots[("x", 0)]
        y_slot = program.output_slots["output:0"]
        self.x_offset, self.x_size = x_slot.offset, x_slot.type.sample_size
        self.y_offset, self.y_size = y_slot.offset, y_slot.type.sample_size
        self.y_shape = tuple(y_slot.type.shape[1:])

    def accepts(self, x, batch_size):
        return (type(x) is np.ndarray and x.dtype == self.dtype
                and x.shape[1:] == self.sample_shape and 0 < x.shape[0] <= self.capacity
                and x.shape[0] <= batch_size and x.flags.c_contiguous
                and self.arena.version == self.version and Arena.moves == self.moves
                and self.model._programs.generation == self.programs
                and variables.trainable_changes() == self.trainable_changes)

    def __call__(self, x):
        n = x.shape[0]
        data = self.arena.data
        data[self.x_offset:self.x_offset + n * self.x_size] = x.reshape(-1)
        run_calls(self.entries, data, self.program.plan, n)
        out = data[self.y_offset:self.y_offset + n * self.y_size]
        return out.reshape((n,) + self.y_shape).copy()
