"""Spin-torque check: the magnum.np vortex oscillator against the Thiele model. SI units.

Runs the oscillator at T = 0 with a dc current above the critical current, from
a vortex core displaced by an in-plane holding field applied during the
relaxation only (at T = 0 a centred core on a symmetric mesh never starts to
gyrate). It measures the gyration frequency from the phase of (<mx>, <my>) in
0.5 ns windows, with the orbit amplitude, and compares with the Thiele model:

- gyrotropic frequency of the two-vortex side-charge-free model (Guslienko et
  al., J. Appl. Phys. 91, 8037 (2002)), omega0 = (20/9) gamma Ms beta in Gaussian
  units, beta = thickness / radius; in SI f0 = (20/9) gamma mu0 Ms beta / (8 pi^2),
  with gamma = 1.7595e11 rad/(s T) (mumax3's GammaLL, as in the engine);
- the Oersted field's extra stiffness kappa_Oe = 0.85 mu0 Ms C J L R for a current
  whose field is parallel to the chirality C (Dussaux et al., Nat. Commun. 1, 8
  (2010); Khvalkovskiy et al., PRB 80, 140401 (2009)) over the gyrovector
  G = 2 pi Ms L / gamma: df_Oe = 0.85 gamma mu0 |J| R / (4 pi^2), signed +1 when
  the field is parallel to the chirality.

Both are small-orbit (linear) estimates, so the measured frequency is also
extrapolated to zero orbit from its windowed values. A second run
without the Oersted field measures df_Oe directly.

The device is `sto_thiele` of benchmarks/configs/vortex.yaml, driven by its
`dc` drive (J held at J_dc) for `--duration`.

Usage: python -m benchmarks.magnumnp_sto_thiele [--duration 4e-9]
Writes benchmarks/results/magnumnp_sto_thiele.{json,png,md}.
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from benchmarks.common import (
    RESULTS_DIR,
    RUNS_DIR,
    benchmark_config,
    simulate_magnumnp,
    write_result_json,
    write_result_markdown,
)
from surrogate.config.specs import SimulationSpec, VortexOscillator
from surrogate.io.mumax3_table import read_table
from surrogate.physics.constants import GAMMA_LL, MU0

RESULTS = RESULTS_DIR
HOLD_FIELD = 5e-3  # T along x during the relaxation: displaces the core by ~10 nm along y
TRACE_STRIDE = 4  # the results json keeps every 4th sample (20 ps) of <my>
WINDOW = 0.5e-9  # s, frequency windows
SKIP = 1e-9  # s, the transient after releasing the holding field (spin waves)

CONFIG = benchmark_config("vortex")
DEVICE = CONFIG.devices["sto_thiele"]


def thiele_frequency(device: VortexOscillator, current_density: float) -> dict:
    """Small-orbit Thiele estimates (Hz): gyrotropic f0 and the Oersted shift df_Oe."""
    radius = device.diameter / 2
    beta = device.thickness / radius
    f0 = 20.0 / 9.0 * GAMMA_LL * MU0 * device.material.Ms * beta / (8 * math.pi**2)
    # the field of J along +z circulates counter-clockwise, as a chirality +1 vortex
    parallel = math.copysign(1.0, device.chirality * current_density)
    df_oe = 0.85 * GAMMA_LL * MU0 * abs(current_density) * radius / (4 * math.pi**2)
    return {"f0_Hz": f0, "df_oersted_Hz": parallel * df_oe if device.oersted else 0.0}


def windowed_frequency(
    t: np.ndarray, mx: np.ndarray, my: np.ndarray, window: float = WINDOW, skip: float = SKIP
) -> dict:
    """Gyration frequency (Hz) and mean in-plane <m> in windows of `window` (s) after `skip`.

    The frequency is the mean rate of the unwrapped phase of (<mx>, <my>), which
    turns with the core around the disk centre.
    """
    phase = np.unwrap(np.arctan2(my, mx))
    amplitude = np.hypot(mx, my)
    mids, freqs, amps = [], [], []
    edges = np.arange(t[0] + skip, t[-1] - window / 2, window)
    for start in edges:
        inside = (t >= start) & (t <= start + window)
        slope = np.polyfit(t[inside], phase[inside], 1)[0]
        mids.append(float(t[inside].mean()))
        freqs.append(float(abs(slope) / (2 * np.pi)))
        amps.append(float(amplitude[inside].mean()))
    return {"t_s": mids, "f_Hz": freqs, "m_inplane": amps}


def extrapolate_to_zero_orbit(m_inplane: list[float], f: list[float]) -> tuple[float, float]:
    """Fit f = f(0) + b <m_ip>^2 over the windows; returns (f(0) in Hz, b in Hz)."""
    slope, intercept = np.polyfit(np.square(m_inplane), f, 1)
    return float(intercept), float(slope)


def core_position(ovf_path: Path) -> tuple[float, float]:
    """(x, y) (m) of the core: |mz|-weighted centroid of the cells with |mz| > 0.5."""
    from ovf2io import read_ovf

    ovf = read_ovf(ovf_path)
    mz = np.abs(ovf["data"]["m_z"])
    weight = np.where(mz > 0.5, mz, 0.0)
    return tuple(float((ovf["coords"][axis] * weight).sum() / weight.sum()) for axis in "xy")


def run_engine(
    device: VortexOscillator, duration: float, out_dir: Path, *, dtype: str = "float64",
    displaced: bool = True,
) -> Path:
    """The engine at J_dc for `duration` (s); `displaced`: relaxed under HOLD_FIELD."""
    drive = replace(CONFIG.drives["dc"], hold_time=duration, n_steps=1)
    spec = SimulationSpec(device=device, drive=drive, sample_period=CONFIG.sample_period)
    field = (HOLD_FIELD, 0.0, 0.0) if displaced else (0.0, 0.0, 0.0)
    spec = replace(spec, device=replace(device, relax_field=field))
    return simulate_magnumnp(spec, out_dir, dtype=dtype)


def simulate(device: VortexOscillator, duration: float, out_dir: Path) -> dict:
    """Run from a displaced core at T = 0; returns the table columns and the core positions."""
    start = time.perf_counter()
    table = read_table(run_engine(device, duration, out_dir))
    return {
        "t": table.column("t"), "mx": table.column("mx"), "my": table.column("my"),
        "core_start": core_position(out_dir / "m_relaxed.ovf"),
        "core_final": core_position(out_dir / "m_final.ovf"),
        "wall_s": time.perf_counter() - start,
    }


def analyse(device: VortexOscillator, run: dict) -> dict:
    periods = windowed_frequency(run["t"], run["mx"], run["my"])
    f_zero, slope = extrapolate_to_zero_orbit(periods["m_inplane"], periods["f_Hz"])
    radius = device.diameter / 2
    last = periods["m_inplane"][-1]
    s_final = math.hypot(*run["core_final"]) / radius
    return {
        "periods": periods,
        "f_last_window_Hz": periods["f_Hz"][-1],
        "f_zero_orbit_Hz": f_zero,
        "df_per_m_inplane_squared_Hz": slope,
        "core_start_m": run["core_start"],
        "core_final_m": run["core_final"],
        "orbit_final_s": s_final,
        "m_inplane_last_window": last,
        "orbit_grew": periods["m_inplane"][-1] > periods["m_inplane"][0],
        "wall_s": run["wall_s"],
    }


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_t, ax_f) = plt.subplots(1, 2, figsize=(10, 4))
    for label, case in results["cases"].items():
        ax_t.plot(np.asarray(case["t_s"]) * 1e9, case["my"], lw=0.8, label=label)
        periods = case["analysis"]["periods"]
        ax_f.plot(np.square(periods["m_inplane"]), np.asarray(periods["f_Hz"]) / 1e9, "o", ms=3,
                  label=f"{label}: measured")
        thiele = case["thiele"]
        ax_f.axhline((thiele["f0_Hz"] + thiele["df_oersted_Hz"]) / 1e9, ls="--", lw=0.8,
                     color=ax_f.lines[-1].get_color(), label=f"{label}: Thiele")
    ax_t.set(xlabel="t (ns)", ylabel="<my>", title="gyration at J_dc, T = 0")
    ax_f.set(xlabel="<m_inplane>^2 (0.5 ns windows)", ylabel="f (GHz)",
             title="frequency vs orbit")
    ax_t.legend(fontsize=7)
    ax_f.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def write_markdown(results: dict, path: Path) -> None:
    lines = [
        "# magnum.np vortex oscillator vs Thiele model",
        "",
        f"Device: {results['device']['diameter'] * 1e9:g} nm disk, "
        f"{results['device']['thickness'] * 1e9:g} nm thick, "
        f"{results['device']['cell_size'] * 1e9:g} nm cells, Ms "
        f"{results['device']['material']['Ms']:.3g} A/m, J_dc "
        f"{results['device']['J_dc']:.3g} A/m2, polarizer +z, T = 0.",
        "",
        "| case | f last window (GHz) | f extrapolated to zero orbit (GHz) | Thiele f0 + "
        "df_Oe (GHz) | difference | final orbit s = X/R |",
        "|---|---|---|---|---|---|",
    ]
    for label, case in results["cases"].items():
        a, th = case["analysis"], case["thiele"]
        estimate = th["f0_Hz"] + th["df_oersted_Hz"]
        lines.append(
            f"| {label} | {a['f_last_window_Hz'] / 1e9:.4f} | {a['f_zero_orbit_Hz'] / 1e9:.4f} | "
            f"{estimate / 1e9:.4f} | {(a['f_zero_orbit_Hz'] / estimate - 1) * 100:+.1f} % | "
            f"{a['orbit_final_s']:.3f} |"
        )
    shift = results["oersted_shift"]
    lines += [
        "",
        f"Oersted shift at zero orbit: measured {shift['measured_Hz'] / 1e6:.1f} MHz, "
        f"Thiele (0.85 factor) {shift['thiele_Hz'] / 1e6:.1f} MHz.",
        "",
        "Generated by `python -m benchmarks.magnumnp_sto_thiele`; formulas and sources in its "
        "docstring.",
    ]
    write_result_markdown(path, "\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=4e-9, help="driven run (s)")
    parser.add_argument("--work", type=Path, default=RUNS_DIR / "sto_thiele")
    args = parser.parse_args()
    devices = {"oersted": DEVICE, "no_oersted": replace(DEVICE, oersted=False)}
    results = {"config": "benchmarks/configs/vortex.yaml", "device": asdict(DEVICE),
               "duration_s": args.duration, "cases": {}}
    for label, device in devices.items():
        run = simulate(device, args.duration, args.work / label)
        results["cases"][label] = {
            "oersted": device.oersted,
            "thiele": thiele_frequency(device, device.J_dc),
            "analysis": analyse(device, run),
            "t_s": run["t"][::TRACE_STRIDE].tolist(),
            "my": run["my"][::TRACE_STRIDE].tolist(),
        }
    cases = results["cases"]
    results["oersted_shift"] = {
        "measured_Hz": cases["oersted"]["analysis"]["f_zero_orbit_Hz"]
        - cases["no_oersted"]["analysis"]["f_zero_orbit_Hz"],
        "thiele_Hz": cases["oersted"]["thiele"]["df_oersted_Hz"],
    }
    write_result_json(RESULTS / "magnumnp_sto_thiele.json", results)
    plot(results, RESULTS / "magnumnp_sto_thiele.png")
    write_markdown(results, RESULTS / "magnumnp_sto_thiele.md")


if __name__ == "__main__":
    main()
