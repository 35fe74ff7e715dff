"""``compiler.kernels.loader.load_source``: content-addressed modules on disk."""

import os
import sys
import uuid

import pytest

from compiler.kernels import loader


@pytest.fixture
def cache(monkeypatch, tmp_path):
    """A private cache directory, and cleanup of the modules a test imports."""
    monkeypatch.setenv("GRAPHKERAS_CACHE_DIR", str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        if name.startswith("gk_test_"):
            del sys.modules[name]


def _source(value):
    # a unique token keeps every test's module name new to this process
    return f'"""{uuid.uuid4().hex}"""\nVALUE = {value!r}\n'


def test_writes_a_content_addressed_file(cache):
    source = _source(41)
    module = loader.load_source("gk_test_a", source)
    name = loader.module_name("gk_test_a", source)
    path = cache / f"{name}.py"
    assert module.__name__ == name and module.VALUE == 41
    assert path.read_text(encoding="utf-8") == source
    assert os.path.samefile(module.__file__, path)
    assert sys.modules[name] is module
    assert [p.name for p in cache.iterdir() if p.suffix == ".py"] == [path.name]
    assert not [p for p in cache.iterdir() if ".tmp" in p.name]


def test_different_text_gets_a_different_file(cache):
    a = loader.load_source("gk_test_b", _source(1))
    b = loader.load_source("gk_test_b", _source(2))
    assert a is not b and a.__name__ != b.__name__
    assert (a.VALUE, b.VALUE) == (1, 2)


def test_a_corrupted_file_is_rewritten_before_import(cache):
    source = _source("good")
    name = loader.module_name("gk_test_c", source)
    path = cache / f"{name}.py"
    path.write_text('VALUE = "torn"\nraise RuntimeError("half-written file imported")\n',
                    encoding="utf-8")
    module = loader.load_source("gk_test_c", source)
    assert module.VALUE == "good"
    assert path.read_text(encoding="utf-8") == source


def test_the_same_source_imports_one_module(cache):
    source = _source([1, 2])
    first = loader.load_source("gk_test_d", source)
    first.VALUE.append(3)                 # state of the loaded module object
    second = loader.load_source("gk_test_d", source)
    assert second is first and second.VALUE == [1, 2, 3]


def test_a_failing_module_is_not_left_registered(cache):
    source = f"# {uuid.uuid4().hex}\nraise ValueError('broken generated code')\n"
    with pytest.raises(ValueError, match="broken generated code"):
        loader.load_source("gk_test_e", source)
    assert loader.module_name("gk_test_e", source) not in sys.modules
