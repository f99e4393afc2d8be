"""Several-bytes-at-a-time helpers of the JSON scanners against byte-by-byte references."""

import numpy as np
import pytest

from modelmetrics.kernels import swar


def _reference(word_bytes):
    count = 0
    while count < 8 and 48 <= word_bytes[count] <= 57:
        count += 1
    return count, int(bytes(word_bytes[:count])) if count else 0


def test_digit_run_on_random_words_with_digit_prefixes():
    rng = np.random.default_rng(3)
    for _ in range(20_000):
        word = rng.integers(0, 256, 8, dtype=np.uint8)
        prefix = int(rng.integers(0, 9))
        word[:prefix] = rng.integers(48, 58, prefix)
        assert swar._digit_run_at(word, 0) == _reference(word)


@pytest.mark.parametrize("position", range(8))
def test_digit_run_stops_at_every_non_digit_byte_value(position):
    for value in range(256):
        word = np.full(8, ord("9"), np.uint8)
        word[position] = value
        assert swar._digit_run_at(word, 0) == _reference(word), value


def test_load_u64_reads_unaligned_little_endian():
    data = np.arange(1, 20, dtype=np.uint8)
    for offset in range(12):
        want = int.from_bytes(data[offset:offset + 8].tobytes(), "little")
        assert int(swar._load_at(data, offset)) == want


def test_trailing_zeros():
    for shift in range(64):
        assert int(swar._trailing_zeros_of(np.uint64(1) << np.uint64(shift))) == shift
    assert int(swar._trailing_zeros_of(np.uint64(0))) == 64


def _plain(byte: int) -> bool:
    return 32 <= byte < 128 and byte not in (34, 92)


def _specials(data) -> int:
    return sum(1 << k for k, byte in enumerate(data[:32]) if not _plain(int(byte)))


@pytest.mark.parametrize("position", [0, 1, 7, 8, 15, 16, 30, 31])
def test_string_specials_flag_every_special_byte_value(position):
    rng = np.random.default_rng(position)
    plain = np.array([b for b in range(256) if _plain(b)], np.uint8)
    for value in range(256):
        data = rng.choice(plain, 40)
        data[position] = value
        data[32:] = 0  # beyond the 32 bytes: never flagged
        assert int(swar._string_specials_at(data, 0)) == _specials(data), value


def test_string_specials_on_random_bytes_at_any_offset():
    rng = np.random.default_rng(5)
    for _ in range(5_000):
        data = rng.integers(0, 256, 48).astype(np.uint8)
        if rng.random() < 0.7:  # mostly plain text, sometimes special bytes here and there
            data[:40] = rng.integers(32, 127, 40)
        offset = int(rng.integers(0, 16))
        assert int(swar._string_specials_at(data, offset)) == _specials(data[offset:])


def _chains_reference(data):
    digits = [int(b) - 48 for b in data[:16]]
    every = all(0 <= d < 32 for d in digits)
    out = [int(every)]
    for first in (0, 1):
        deltas = [((d & 0xFF) ^ 16) - 16 if 0 <= d < 32 else None for d in digits[first::2]]
        if not every:
            return out[0]
        prefix = np.cumsum(deltas).tolist()
        out += [sum(prefix), prefix[-1], min(prefix)]
    return tuple(out)


def test_one_char_chains_on_random_codes_at_any_offset():
    rng = np.random.default_rng(11)
    for _ in range(20_000):
        data = rng.integers(48, 80, 40).astype(np.uint8)  # one-character codes
        if rng.random() < 0.3:  # and sometimes any byte somewhere
            data[int(rng.integers(0, 40))] = rng.integers(0, 256)
        offset = int(rng.integers(0, 16))
        got = swar._one_char_chains_at(data, offset)
        want = _chains_reference(data[offset:])
        if isinstance(want, int):  # not all one-character codes: only that is reported
            assert got[0] == want == 0
        else:
            assert got == want


@pytest.mark.parametrize("position", range(16))
def test_one_char_chains_flag_every_byte_outside_the_one_char_codes(position):
    for value in range(256):
        data = np.full(16, ord("0"), np.uint8)
        data[position] = value
        assert swar._one_char_chains_at(data, 0)[0] == int(48 <= value < 80), value


def test_store_one_char_runs_on_random_codes():
    rng = np.random.default_rng(12)
    for _ in range(5_000):
        data = rng.integers(48, 80, 16).astype(np.uint8)
        starts = [int(v) for v in rng.integers(200, 2**32 - 200, 2)]
        runs = np.zeros(20, np.uint32)
        swar._store_one_char_runs_at(runs, data, *starts)
        want = []
        chains = [np.cumsum([((int(b) - 48) ^ 16) - 16 for b in data[first::2]]) + starts[first]
                  for first in (0, 1)]
        for k in range(8):
            want += [int(chains[0][k]), int(chains[1][k])]
        assert runs[:16].tolist() == want and not runs[16:].any()


def test_count_byte_on_random_bytes_at_any_offset():
    rng = np.random.default_rng(13)
    for _ in range(5_000):
        data = rng.choice(np.array([123, 125, 34, 0, 255, 97], np.uint8), 48)
        offset = int(rng.integers(0, 16))
        value = int(rng.choice([123, 0, 255, 7]))
        assert swar._count_byte_at(data, offset, value) == int(np.sum(data[offset:offset + 32]
                                                                      == value))


def _short_decimal_reference(word_bytes):
    text = bytes(word_bytes)
    whole = 0
    while whole < 8 and 48 <= text[whole] <= 57:
        whole += 1
    if whole in (0, 8):
        return 0, 0, 0
    if text[whole] != ord("."):
        return whole, int(text[:whole]), 0
    end = whole + 1
    while end < 8 and 48 <= text[end] <= 57:
        end += 1
    if end == whole + 1 or end == 8:  # no digit after the dot, or digits up to the end
        return 0, 0, 0
    return end, int(text[:whole] + text[whole + 1:end]), end - whole - 1


def _numeric_span_reference(word_bytes):
    span = 0
    while span < 8 and 46 <= word_bytes[span] <= 57:  # . / 0-9
        span += 1
    return span


def test_short_decimal_on_random_words_of_digits_dots_and_others():
    rng = np.random.default_rng(5)
    alphabet = np.frombuffer(b"0123456789012345678901234567890123456789..,] e-", np.uint8)
    for _ in range(50_000):
        word = rng.choice(alphabet, 8)
        assert swar._short_decimal_at(word, 0) == _short_decimal_reference(word), bytes(word)


@pytest.mark.parametrize("position", range(8))
def test_short_decimal_and_numeric_span_stop_at_every_byte_value(position):
    for value in range(256):
        word = np.frombuffer(b"12.34567", np.uint8).copy()
        word[position] = value
        assert swar._short_decimal_at(word, 0) == _short_decimal_reference(word), (position, value)
        assert swar._numeric_span_at(word, 0) == _numeric_span_reference(word), (position, value)


def test_numeric_span_on_random_words():
    rng = np.random.default_rng(9)
    for _ in range(20_000):
        word = rng.integers(0, 256, 8, dtype=np.uint8)
        prefix = int(rng.integers(0, 9))
        word[:prefix] = rng.choice(np.frombuffer(b"0123456789./", np.uint8), prefix)
        assert swar._numeric_span_at(word, 0) == _numeric_span_reference(word), bytes(word)


def test_numeric_span_bounds_every_short_decimal():
    """The scanner takes the span as the number's length when the two agree: they must agree
    on every number that short_decimal reads and that a non-number byte follows."""
    rng = np.random.default_rng(10)
    alphabet = np.frombuffer(b"0123456789012345678901234567890123456789..,] e-}", np.uint8)
    agreed = 0
    for _ in range(50_000):
        word = rng.choice(alphabet, 8)
        length = swar._short_decimal_at(word, 0)[0]
        if length and word[length] != ord("."):
            assert swar._numeric_span_at(word, 0) == length, bytes(word)
            agreed += 1
    assert agreed > 1_000


def test_fill_run_writes_exactly_the_run():
    rng = np.random.default_rng(8)
    for _ in range(3000):
        size = int(rng.integers(8, 80))
        buf = rng.integers(0, 256, size, dtype=np.uint8)
        start = int(rng.integers(0, size))
        length = int(rng.integers(0, size - start + 1))
        value = int(rng.integers(0, 256))
        want = buf.copy()
        want[start:start + length] = value
        swar._fill_run_at(buf, start, length, value)
        assert np.array_equal(buf, want), (size, start, length)
