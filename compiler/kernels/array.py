"""Data movement between layouts: block copies (slice, pad, concat) and N-D strided copies.

``copy_block`` row: ``[dst, src, outer, length, inner, src_len, src_start,
dst_len, dst_start, fill]``. Both tensors are seen as ``(outer, len, inner)``
blocks along one axis; ``length`` entries of that axis are copied from
``src_start`` in the source to ``dst_start`` in the destination. With ``fill``
the rest of each destination block is set to zero (a pad). One kernel thus
serves ``slice`` (src_start = start), ``pad_axis`` (fill) and each operand of
a ``concat`` (dst_start = the operand's offset along the axis).

``copy_strided`` row: ``[dst, src, e0..e5, s0..s5]``. The destination is
contiguous with extents ``e`` (rank 6, padded with leading 1s); element
``(i0, .., i5)`` is read from ``src + sum(ik * sk)``. Permuted strides make a
transpose and zero strides a broadcast. Extents are encoded (one of them may
hold the batch); strides are plain counts, since the batch dimension is
always first and no stride spans it.
"""

from numba import njit

from compiler.kernels.common import JIT, dim


@njit(**JIT)
def copy_block(A, plan, q, n):
    o, a = plan[q, 0], plan[q, 1]
    outer, length, inner = dim(plan[q, 2], n), plan[q, 3], dim(plan[q, 4], n)
    s_len, s_start, d_len, d_start = plan[q, 5], plan[q, 6], plan[q, 7], plan[q, 8]
    fill = plan[q, 9] == 1
    run = length * inner
    head = d_start * inner
    tail = (d_start + length) * inner
    for i in range(outer):
        src = a + (i * s_len + s_start) * inner
        base = o + i * d_len * inner
        if fill:
            for j in range(head):
                A[base + j] = 0.0
            for j in range(tail, d_len * inner):
                A[base + j] = 0.0
        dst = base + head
        for j in range(run):
            A[dst + j] = A[src + j]


@njit(**JIT)
def copy_strided(A, plan, q, n):
    o, a = plan[q, 0], plan[q, 1]
    e0, e1, e2 = dim(plan[q, 2], n), dim(plan[q, 3], n), dim(plan[q, 4], n)
    e3, e4, e5 = dim(plan[q, 5], n), dim(plan[q, 6], n), dim(plan[q, 7], n)
    s0, s1, s2 = plan[q, 8], plan[q, 9], plan[q, 10]
    s3, s4, s5 = plan[q, 11], plan[q, 12], plan[q, 13]
    k = o
    for i0 in range(e0):
        b0 = a + i0 * s0
        for i1 in range(e1):
            b1 = b0 + i1 * s1
            for i2 in range(e2):
                b2 = b1 + i2 * s2
                for i3 in range(e3):
                    b3 = b2 + i3 * s3
                    for i4 in range(e4):
                        b4 = b3 + i4 * s4
                        if s5 == 1:
                            for i5 in range(e5):
                                A[k + i5] = A[b4 + i5]
                        else:
                            for i5 in range(e5):
                                A[k + i5] = A[b4 + i5 * s5]
                        k += e5
