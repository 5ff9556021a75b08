import numpy as np
import matplotlib.pyplot as plt

# Temperature profile of the standard atmosphere. Surface temperature 15 °C,
# lapse rate 6.5 °C/km in the troposphere (0–12 km), tropopause, stratosphere (12–50 km),
# mesosphere (50–85 km), thermosphere (above 85 km).
z = np.array([0, 12, 20, 32, 47, 51, 71, 85, 100])
T = np.array([15, -63, -56.5, -44.5, -2.5, -2.5, -58.5, -90, -70])

fig, ax = plt.subplots(figsize=(6, 8))
layers = [(0, 12, 'Troposphere', '#cfe2f3'), (12, 50, 'Stratosphere', '#d9ead3'),
          (50, 85, 'Mesosphere', '#fff2cc'), (85, 100, 'Thermosphere', '#f4cccc')]
for lo, hi, name, c in layers:
    ax.axhspan(lo, hi, color=c)
    ax.text(-118, (lo + hi) / 2, name, va='center', fontsize=11, fontweight='bold')
ax.plot(T, z, 'r-o', lw=2, markersize=4)

ax.annotate('Lapse rate 6.5 °C/km', xy=(-20, 5.4), xytext=(-5, 18),
            arrowprops=dict(arrowstyle='->'), fontsize=9)
ax.annotate('Ozone layer\nwarming', xy=(-25, 40), xytext=(0, 30), arrowprops=dict(arrowstyle='->'), fontsize=9)
ax.text(17, 1, 'T₀ = 15 °C', fontsize=10)
ax.text(-60, 12.8, 'Tropopause, 12 km', fontsize=8)
ax.text(-45, 86, 'Mesopause −90 °C', fontsize=8)

ax.set_xlim(-120, 40)
ax.set_ylim(0, 100)
ax.set_xlabel('Temperature (°C)')
ax.set_ylabel('Altitude (km)')
ax.set_title('Layers of the Atmosphere')
plt.tight_layout()
plt.savefig('atmosphere.png', dpi=120)
