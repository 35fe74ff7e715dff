"""graphkeras.config: Keras's settings and the thread counts of kernels and BLAS."""

import numba
import pytest

import graphkeras


def test_keras_settings():
    assert graphkeras.config.floatx() == "float32"
    assert graphkeras.config.epsilon() == pytest.approx(1e-7)


def test_set_num_threads_reaches_numba_and_every_blas():
    before = graphkeras.config.get_num_threads()
    assert before["blas"], "the OpenBLAS copies of NumPy and SciPy are found"
    try:
        graphkeras.config.set_num_threads(1)
        now = graphkeras.config.get_num_threads()
        assert now["numba"] == 1 and set(now["blas"]) == {1}
    finally:
        numba.set_num_threads(before["numba"])
        graphkeras.config.set_num_threads(max(before["blas"]))
        numba.set_num_threads(before["numba"])
    with pytest.raises(ValueError, match="positive integer"):
        graphkeras.config.set_num_threads(0)
    with pytest.raises(ValueError, match="at most"):
        graphkeras.config.set_num_threads(numba.config.NUMBA_NUM_THREADS + 1)
