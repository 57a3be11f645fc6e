"""Spin-Neural-ODE surrogates of micromagnetic devices, from mumax3 or magnum.np traces.

SI units everywhere: seconds, metres, A/m, J/m, J/m3, J/m2, Hz. Importing this
package never imports magnum.np, which changes torch's global defaults.
"""

__version__ = "0.1.0"
