"""Nested structures of tensors (a tensor, a list or tuple of them, or a dict)."""


def flatten(structure):
    """The leaves of a nested list/tuple/dict, in order (dicts by key order)."""
    if isinstance(structure, (list, tuple)):
        out = []
        for item in structure:
            out.extend(flatten(item))
        return out
    if isinstance(structure, dict):
        out = []
        for key in structure:
            out.extend(flatten(structure[key]))
        return out
    return [structure]


def map_structure(fn, structure):
    """``structure`` with ``fn`` applied to each leaf."""
    if isinstance(structure, list):
        return [map_structure(fn, s) for s in structure]
    if isinstance(structure, tuple):
        return tuple(map_structure(fn, s) for s in structure)
    if isinstance(structure, dict):
        return {k: map_structure(fn, v) for k, v in structure.items()}
    return fn(structure)


def pack_like(structure, flat):
    """Rebuild ``structure``'s shape from the leaves in ``flat``."""
    it = iter(flat)
    return map_structure(lambda _: next(it), structure)
