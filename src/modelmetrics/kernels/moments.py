"""One-pass weighted moments of paired data (truth ``t``, prediction ``p``), mergeable.

A *moment row* is a float64 array of ``N_FIELDS`` numbers summarising a set of pairs; rows of
disjoint sets combine exactly (up to rounding) with :func:`merge_moments`, using the parallel
update of Chan, Golub & LeVeque for the centred second moments. Within a block of ``BLOCK``
pairs the centred sums are computed two-pass (mean first, then squared deviations) while the block
sits in L1 cache, so the data is read from memory once. Means are kept relative to a *shift*
(``ERR_SHIFT`` / ``TRUE_SHIFT``: a batch's mean over its first block), so that on ill-conditioned data
(large offset, small spread, e.g. 1e9 + noise) the means carry rounding errors of the spread's
size, not of the offset's: the Chan merge uses differences of means to first order, and means
rounded at 1e9 would cost R² nine digits. ``Σx² − n·x̄²`` is never formed.

``e = p − t`` is the signed error. Pairs whose weight is zero count in ``COUNT`` but in nothing
else (they do not move the minima and maxima either). With ``omit`` set, pairs where ``t``, ``p``
or the weight is not finite are skipped and counted in ``OMITTED``; otherwise they are summed, and
the caller detects them from the non-finite result.
"""

import numpy as np
from numba import njit, prange
from numba.extending import overload

from .._config import jit_options

# Field indices of a moment row.
COUNT = 0  # pairs counted (weight zero included), exact in float64 up to 2**53
WEIGHT = 1  # Σ w
ERR_MEAN = 2  # weighted mean of e, minus ERR_SHIFT
ERR_M2 = 3  # Σ w (e − mean e)²
TRUE_MEAN = 4  # weighted mean of t, minus TRUE_SHIFT
TRUE_M2 = 5  # Σ w (t − mean t)²
ABS_ERR_SUM = 6  # Σ w |e|
WITHIN_WEIGHT = 7  # Σ w [|e| ≤ threshold]
ERR_MIN = 8  # min e over pairs with w > 0
ERR_MAX = 9  # max e over pairs with w > 0
TRUE_MIN = 10  # min t over pairs with w > 0
TRUE_MAX = 11  # max t over pairs with w > 0
OMITTED = 12  # pairs skipped as non-finite (omit mode)
ERR_SHIFT = 13  # reference value of the error mean
TRUE_SHIFT = 14  # reference value of the truth mean
SQ_ERR_SUM = 15  # Σ w e² (summed directly: accurate whatever the weights)
N_FIELDS = 16

BLOCK = 512  # pairs per two-pass block (two float64 blocks stay in L1)
SHIFT_SAMPLE = 32  # pairs averaged for a batch's shift
CHUNK = 1 << 16  # pairs per parallel task; fixed, so results do not depend on the thread count


@njit(**jit_options())
def empty_moments():
    """A moment row of the empty set: counts zero, minima +inf, maxima −inf."""
    row = np.zeros(N_FIELDS)
    row[ERR_MIN] = np.inf
    row[TRUE_MIN] = np.inf
    row[ERR_MAX] = -np.inf
    row[TRUE_MAX] = -np.inf
    return row


@njit(**jit_options())
def merge_moments(dst, src):
    """Fold moment row ``src`` into ``dst`` in place (Chan et al. parallel update)."""
    dst[COUNT] += src[COUNT]
    dst[OMITTED] += src[OMITTED]
    w_src = src[WEIGHT]
    if w_src == 0.0:
        return
    w_dst = dst[WEIGHT]
    if w_dst == 0.0:
        for f in range(WEIGHT, OMITTED):
            dst[f] = src[f]
        dst[ERR_SHIFT] = src[ERR_SHIFT]
        dst[TRUE_SHIFT] = src[TRUE_SHIFT]
        dst[SQ_ERR_SUM] = src[SQ_ERR_SUM]
        return
    w = w_dst + w_src
    share = w_src / w
    cross = w_dst * share  # w_dst * w_src / w
    # difference of the means; close shifts subtract exactly (Sterbenz), distant ones
    # dominate the difference and carry a relative error of eps
    d_err = (src[ERR_SHIFT] - dst[ERR_SHIFT]) + (src[ERR_MEAN] - dst[ERR_MEAN])
    d_true = (src[TRUE_SHIFT] - dst[TRUE_SHIFT]) + (src[TRUE_MEAN] - dst[TRUE_MEAN])
    dst[ERR_M2] += src[ERR_M2] + d_err * d_err * cross
    dst[TRUE_M2] += src[TRUE_M2] + d_true * d_true * cross
    dst[ERR_MEAN] += d_err * share
    dst[TRUE_MEAN] += d_true * share
    dst[WEIGHT] = w
    dst[ABS_ERR_SUM] += src[ABS_ERR_SUM]
    dst[SQ_ERR_SUM] += src[SQ_ERR_SUM]
    dst[WITHIN_WEIGHT] += src[WITHIN_WEIGHT]
    dst[ERR_MIN] = min(dst[ERR_MIN], src[ERR_MIN])
    dst[ERR_MAX] = max(dst[ERR_MAX], src[ERR_MAX])
    dst[TRUE_MIN] = min(dst[TRUE_MIN], src[TRUE_MIN])
    dst[TRUE_MAX] = max(dst[TRUE_MAX], src[TRUE_MAX])


@njit(**jit_options())
def moments_are_finite(row):
    """True when no summed field of ``row`` is NaN or infinite (minima/maxima may be ±inf)."""
    return np.isfinite(row[COUNT] + row[WEIGHT] + row[ERR_MEAN] + row[ERR_M2] + row[TRUE_MEAN]
                       + row[TRUE_M2] + row[ABS_ERR_SUM] + row[SQ_ERR_SUM] + row[WITHIN_WEIGHT])


@njit(**jit_options())
def merge_moment_rows(dst, src):
    """Fold each row of ``src`` (shape (k, N_FIELDS)) into the same row of ``dst``."""
    for j in range(dst.shape[0]):
        merge_moments(dst[j], src[j])


@njit(**jit_options())
def _is_weighted(w):
    if w is None:
        return False
    return True


@njit(**jit_options())
def _weight(w, i):
    if w is None:
        return 1.0
    return np.float64(w[i])


@njit(**jit_options())
def _keep(ti, pi, wi, omit):
    return not omit or (np.isfinite(ti) and np.isfinite(pi) and np.isfinite(wi))


@njit(**jit_options())
def _block_moments(t, p, w, start, stop, threshold, omit, t_shift, e_shift, out):
    """Moments of pairs ``start:stop`` into a fresh row ``out``, means relative to the shifts;
    returns the least weight seen."""
    weighted = _is_weighted(w)
    omitted = 0.0
    w_sum = 0.0
    e_sum = 0.0
    t_sum = 0.0
    abs_sum = 0.0
    sq_sum = 0.0
    within = 0.0
    e_min = np.inf
    e_max = -np.inf
    t_min = np.inf
    t_max = -np.inf
    w_min = np.inf
    probe = 0.0  # NaN if a zero-weight pair holds a non-finite value (those are not summed)
    for i in range(start, stop):
        ti = np.float64(t[i])
        pi = np.float64(p[i])
        wi = _weight(w, i)
        if not _keep(ti, pi, wi, omit):
            omitted += 1.0
            continue
        e = pi - ti
        a = abs(e)
        if weighted:
            w_min = min(w_min, wi)
            if wi == 0.0:
                probe += (ti - ti) + (pi - pi)
                continue
            w_sum += wi
            e_sum += wi * (e - e_shift)
            t_sum += wi * (ti - t_shift)
            abs_sum += wi * a
            sq_sum += wi * (e * e)
            if a <= threshold:
                within += wi
        else:
            e_sum += e - e_shift
            t_sum += ti - t_shift
            abs_sum += a
            sq_sum += e * e
            if a <= threshold:
                within += 1.0
        if e < e_min:
            e_min = e
        if e > e_max:
            e_max = e
        if ti < t_min:
            t_min = ti
        if ti > t_max:
            t_max = ti
    count = (stop - start) - omitted
    if not weighted:
        w_sum = count
    e_m2 = 0.0
    t_m2 = 0.0
    e_mean = 0.0
    t_mean = 0.0
    if w_sum > 0.0:
        e_mean = e_sum / w_sum
        t_mean = t_sum / w_sum
        for i in range(start, stop):
            ti = np.float64(t[i])
            pi = np.float64(p[i])
            wi = _weight(w, i)
            if not _keep(ti, pi, wi, omit):
                continue
            de = ((pi - ti) - e_shift) - e_mean
            dt = (ti - t_shift) - t_mean
            if weighted:
                e_m2 += wi * de * de
                t_m2 += wi * dt * dt
            else:
                e_m2 += de * de
                t_m2 += dt * dt
    out[COUNT] = count + probe  # merges add counts even when the weight is zero
    out[WEIGHT] = w_sum
    out[ERR_MEAN] = e_mean
    out[ERR_M2] = e_m2
    out[TRUE_MEAN] = t_mean
    out[TRUE_M2] = t_m2
    out[ABS_ERR_SUM] = abs_sum
    out[SQ_ERR_SUM] = sq_sum
    out[WITHIN_WEIGHT] = within
    out[ERR_MIN] = e_min
    out[ERR_MAX] = e_max
    out[TRUE_MIN] = t_min
    out[TRUE_MAX] = t_max
    out[OMITTED] = omitted
    out[ERR_SHIFT] = e_shift
    out[TRUE_SHIFT] = t_shift
    return w_min


@njit(**jit_options())
def _range_moments(t, p, w, start, stop, threshold, omit, t_shift, e_shift, out):
    """Fold the moments of pairs ``start:stop`` into ``out``, block by block."""
    block = np.empty(N_FIELDS)
    w_min = np.inf
    for b in range(start, stop, BLOCK):
        w_min = min(w_min, _block_moments(t, p, w, b, min(stop, b + BLOCK), threshold, omit,
                                          t_shift, e_shift, block))
        merge_moments(out, block)
    return w_min


def _column(a, j):
    """Column ``j`` of a 2-D array; a 1-D array is its own single column."""


@overload(_column, jit_options=jit_options())
def _column_impl(a, j):
    if a.ndim == 1:
        return lambda a, j: a
    return lambda a, j: a[:, j]


def _n_columns(a):
    """Number of columns of a 2-D array; 1 for a 1-D array."""


@overload(_n_columns, jit_options=jit_options())
def _n_columns_impl(a):
    if a.ndim == 1:
        return lambda a: 1
    return lambda a: a.shape[1]


@njit(**jit_options())
def _shifts(t, p, w):
    """Reference values of a column: the weighted means of truth and error over its first
    ``SHIFT_SAMPLE`` finite pairs of positive weight (0 when there are none). Close to the data,
    so the relative values the blocks sum are of the size of the data's spread."""
    t_sum = 0.0
    e_sum = 0.0
    w_sum = 0.0
    found = 0
    for i in range(t.shape[0]):
        ti = np.float64(t[i])
        e = np.float64(p[i]) - ti
        wi = _weight(w, i)
        if wi > 0.0 and np.isfinite(ti) and np.isfinite(e) and np.isfinite(wi):
            t_sum += wi * ti
            e_sum += wi * e
            w_sum += wi
            found += 1
            if found == SHIFT_SAMPLE:
                break
    if w_sum == 0.0 or not (np.isfinite(t_sum) and np.isfinite(e_sum)):
        return 0.0, 0.0
    return t_sum / w_sum, e_sum / w_sum


@njit(**jit_options())
def empty_moment_rows(k):
    """Moment rows of the empty set for ``k`` outputs, shape (k, N_FIELDS)."""
    rows = np.empty((k, N_FIELDS))
    for j in range(k):
        rows[j] = empty_moments()
    return rows


@njit(**jit_options())
def _fold_if_valid(state, batch, w_min):
    """Merge ``batch`` rows into ``state`` unless the batch is invalid; report validity."""
    finite = True
    for j in range(batch.shape[0]):
        finite = finite and moments_are_finite(batch[j])
    if finite and w_min >= 0.0:
        merge_moment_rows(state, batch)
    return w_min, finite


@njit(**jit_options())
def fold_batch(state, t, p, w, threshold, omit):
    """Fold the pairs ``(t[i, j], p[i, j])`` into ``state`` (one row per output j), one core.

    Parameters
    ----------
    state : float64 array of shape (k, N_FIELDS), updated in place
    t, p : arrays of shape (n, k), or (n,) for one output; any real dtype and layout
    w : 1-D array of shape (n,) or None
        Sample weights (shared by the k outputs).
    threshold : float
        Tolerance for ``WITHIN_WEIGHT``.
    omit : bool
        Skip pairs with a non-finite value (and count them) instead of summing them.

    Returns
    -------
    w_min : float
        The least weight seen (+inf when unweighted or empty).
    finite : bool
        False when a summed field is NaN or infinite (a non-finite input, or overflow).
        ``state`` is left untouched unless ``w_min >= 0`` and ``finite``.
    """
    k = _n_columns(t)
    batch = empty_moment_rows(k)
    w_min = np.inf
    for j in range(k):
        tj = _column(t, j)
        pj = _column(p, j)
        t_shift, e_shift = _shifts(tj, pj, w)
        w_min = min(w_min, _range_moments(tj, pj, w, 0, t.shape[0], threshold, omit, t_shift,
                                          e_shift, batch[j]))
    return _fold_if_valid(state, batch, w_min)


@njit(**jit_options(parallel=True))
def fold_batch_parallel(state, t, p, w, threshold, omit):
    """Same as :func:`fold_batch`, in fixed chunks across cores, merged in chunk order."""
    n = t.shape[0]
    k = _n_columns(t)
    n_chunks = (n + CHUNK - 1) // CHUNK
    parts = np.empty((k * n_chunks, N_FIELDS))
    part_w_min = np.empty(k * n_chunks)
    shifts = np.empty((k, 2))
    for j in range(k):
        shifts[j, 0], shifts[j, 1] = _shifts(_column(t, j), _column(p, j), w)
    for task in prange(k * n_chunks):
        j = task // n_chunks
        start = (task % n_chunks) * CHUNK
        parts[task] = empty_moments()
        part_w_min[task] = _range_moments(_column(t, j), _column(p, j), w, start,
                                          min(n, start + CHUNK), threshold, omit, shifts[j, 0],
                                          shifts[j, 1], parts[task])
    batch = empty_moment_rows(k)
    w_min = np.inf
    for task in range(k * n_chunks):
        merge_moments(batch[task // n_chunks], parts[task])
        w_min = min(w_min, part_w_min[task])
    return _fold_if_valid(state, batch, w_min)


@njit(**jit_options())
def first_nonfinite(t, p, w):
    """Locate non-finite values (error path only).

    Returns
    -------
    (which, index, total) : which array holds the first one (0 = t, 1 = p, 2 = w, −1 = none),
    its index, and how many non-finite values the three arrays hold in all.
    """
    which = -1
    index = -1
    total = 0
    for i in range(t.shape[0]):
        bad_t = not np.isfinite(np.float64(t[i]))
        bad_p = not np.isfinite(np.float64(p[i]))
        bad_w = not np.isfinite(_weight(w, i))
        total += bad_t + bad_p + bad_w
        if which < 0 and (bad_t or bad_p or bad_w):
            index = i
            which = 0 if bad_t else (1 if bad_p else 2)
    return which, index, total

