import numpy as np
import matplotlib.pyplot as plt

# Phase diagram of water (schematic). Triple point: 0.01 °C, 0.006 atm.
# Critical point: 374 °C, 218 atm. Normal boiling point 100 °C at 1 atm.
fig, ax = plt.subplots(figsize=(8, 6))

T_tp, P_tp = 0.01, 0.006
T_cp, P_cp = 374, 218

# liquid-gas (vaporisation) curve, log-linear interpolation through (100, 1)
T_lg = np.linspace(T_tp, T_cp, 200)
logP = np.interp(T_lg, [T_tp, 100, T_cp], np.log10([P_tp, 1.0, P_cp]))
ax.plot(T_lg, 10 ** logP, 'b-', lw=2)
# solid-gas (sublimation)
T_sg = np.linspace(-60, T_tp, 100)
ax.plot(T_sg, P_tp * 10 ** ((T_sg - T_tp) / 25), 'b-', lw=2)
# solid-liquid (fusion), negative slope for water
P_sl = np.logspace(np.log10(P_tp), np.log10(1000), 50)
ax.plot(T_tp - 2 * np.log10(P_sl / P_tp), P_sl, 'b-', lw=2)

ax.plot(T_tp, P_tp, 'ro', markersize=8)
ax.annotate('Triple point\n0.01 °C, 0.006 atm', xy=(T_tp, P_tp), xytext=(40, 0.0012),
            arrowprops=dict(arrowstyle='->'), fontsize=10)
ax.plot(T_cp, P_cp, 'ro', markersize=8)
ax.annotate('Critical point\n374 °C, 218 atm', xy=(T_cp, P_cp), xytext=(290, 2),
            arrowprops=dict(arrowstyle='->'), fontsize=10)
ax.axhline(1, color='gray', ls='--', lw=1)
ax.plot([0, 100], [1, 1], 'ko', markersize=5)
ax.text(103, 1.3, '100 °C (1 atm)', fontsize=9)
ax.text(3, 1.3, '0 °C', fontsize=9)

ax.text(-45, 30, 'SOLID\n(ice)', fontsize=13, fontweight='bold')
ax.text(150, 30, 'LIQUID', fontsize=13, fontweight='bold')
ax.text(200, 0.01, 'GAS\n(vapour)', fontsize=13, fontweight='bold')

ax.set_yscale('log')
ax.set_xlim(-60, 450)
ax.set_ylim(1e-3, 1e3)
ax.set_xlabel('Temperature (°C)')
ax.set_ylabel('Pressure (atm)')
ax.set_title('Phase Diagram of Water (not to scale)')
plt.tight_layout()
plt.savefig('phase_diagram.png', dpi=150)
