"""Eight-bytes-at-a-time helpers of the JSON scanners against byte-by-byte references."""

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


@pytest.mark.parametrize("position", range(8))
def test_plain_text_run_stops_at_every_special_byte_value(position):
    rng = np.random.default_rng(position)
    plain = np.array([b for b in range(256) if _plain(b)], np.uint8)
    for value in range(256):
        word = rng.choice(plain, 16)
        word[position] = value
        later = rng.integers(0, 256, 16 - position - 1).astype(np.uint8)  # anything after
        word[position + 1:] = later
        expected = position if not _plain(value) else next(
            (k for k in range(position + 1, 8) if not _plain(int(word[k]))), 8)
        assert swar._plain_text_run_at(word, 0) == expected, (value, word[:8].tobytes())


def test_plain_text_run_on_random_words():
    rng = np.random.default_rng(5)
    for _ in range(20_000):
        word = rng.integers(0, 256, 16).astype(np.uint8)
        if rng.random() < 0.7:  # mostly plain text, sometimes a special byte somewhere
            word[:8] = rng.integers(32, 127, 8)
        expected = next((k for k in range(8) if not _plain(int(word[k]))), 8)
        assert swar._plain_text_run_at(word, 0) == expected
