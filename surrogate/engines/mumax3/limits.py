"""Device settings mumax3 cannot run, refused when the configuration is read."""

from __future__ import annotations

from surrogate.config.specs import Device


def check_thermal_cell_count(name: str, device: Device) -> None:
    """Refuse a thermal run (temperature > 0 K) on an odd total number of cells.

    mumax3 draws the thermal field with cuRAND's normal generator, which fails
    with CURAND_STATUS_LENGTH_NOT_MULTIPLE on an odd count (3.11 warns first,
    3.10 just fails). Raises ValueError naming `devices.<name>.temperature`.
    """
    temperature = getattr(device, "temperature", 0.0)
    nx, ny, nz = device.grid
    cells = nx * ny * nz
    if temperature > 0 and cells % 2 == 1:
        raise ValueError(
            f"field 'devices.{name}.temperature': {temperature} K needs an even number of "
            f"cells for mumax3's thermal noise, the grid {nx} x {ny} x {nz} has {cells}; "
            "change diameter, cell_size or layers"
        )
