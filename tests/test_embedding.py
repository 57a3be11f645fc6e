"""Delay embedding and normalisation."""

from __future__ import annotations

import numpy as np
import pytest

from surrogate.node.embedding import delay_embed, fit_normalisation, unembed


def test_delay_embedding_rows_are_delayed_samples():
    x = np.arange(12.0).reshape(6, 2)  # channels a = 0,2,4.. and b = 1,3,5..
    y = delay_embed(x, k=3)
    assert y.shape == (4, 6)
    np.testing.assert_array_equal(y[0], [0, 1, 2, 3, 4, 5])
    np.testing.assert_array_equal(y[3], [6, 7, 8, 9, 10, 11])
    np.testing.assert_array_equal(delay_embed(x, k=2, delay=2)[1], [2, 3, 6, 7])


def test_k1_is_the_signal_and_unembed_inverts():
    x = np.random.default_rng(0).normal(size=(9, 2))
    np.testing.assert_array_equal(delay_embed(x, k=1), x)
    for k in (1, 2, 4):
        np.testing.assert_array_equal(unembed(delay_embed(x, k), 2, k), x)


@pytest.mark.parametrize(("k", "delay"), [(2, 2), (3, 2), (2, 4), (3, 3)])
def test_unembed_inverts_an_embedding_of_spaced_delays(k, delay):
    x = np.random.default_rng(1).normal(size=(13, 2))
    np.testing.assert_array_equal(unembed(delay_embed(x, k, delay), 2, k, delay), x)
    with pytest.raises(ValueError, match="too few for delay=4"):
        unembed(delay_embed(x, 2, 2)[:3], 2, 2, delay=4)


def test_embedding_rejects_too_short_and_bad_k():
    with pytest.raises(ValueError, match="too few"):
        delay_embed(np.zeros((2, 1)), k=3)
    with pytest.raises(ValueError, match="k=0"):
        delay_embed(np.zeros((5, 1)), k=0)


def test_normalisation_round_trip_and_constant_channel():
    x = np.column_stack([np.linspace(-3, 5, 50), np.full(50, 8e5)])
    norm = fit_normalisation(x, ["a", "Ku"])
    z = norm.apply(x)
    np.testing.assert_allclose(z[:, 0].mean(), 0, atol=1e-12)
    np.testing.assert_allclose(z[:, 0].std(), 1)
    np.testing.assert_array_equal(z[:, 1], 0)
    np.testing.assert_allclose(norm.invert(z), x)
    with pytest.raises(ValueError, match=r"\['a'\]: NaN"):
        fit_normalisation(np.array([[np.nan], [1.0]]), ["a"])
