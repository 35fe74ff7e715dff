"""Programs flush subnormal floats inside and leave the caller's float environment alone."""

import numpy as np

import graphkeras
from compiler.kernels import fpenv
from graphkeras.layers import Dense, Input


def test_subnormals_flush_inside_programs_only(rng):
    model = graphkeras.Sequential([Input(shape=(2,)), Dense(2, use_bias=False)])
    tiny = np.float32(1e-39)
    model.set_weights([np.array([[tiny, 0.0], [0.0, 1.0]], "float32")])
    out = model.predict(np.array([[1.0, 1.0]], "float32"), verbose=0)
    if fpenv.X86:
        assert out[0, 0] == 0.0, "a subnormal weight reads as zero inside the program"
    np.testing.assert_allclose(out[0, 1], 1.0)
    assert np.float32(1e-39) * np.float32(1.0) > 0, "NumPy keeps subnormals afterwards"


def test_flush_and_restore_round_trip():
    before = fpenv.flush_denormals()
    fpenv.restore(before)
    again = fpenv.flush_denormals()
    fpenv.restore(again)
    assert again == before
