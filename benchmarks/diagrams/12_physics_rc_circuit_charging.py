import numpy as np
import matplotlib.pyplot as plt
import matplotlib.patches as patches

# A capacitor C = 100 μF is charged through R = 2 kΩ from a 9 V battery.
R = 2e3
C = 100e-6
V0 = 9.0
tau = R * C

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.5))

# Circuit schematic
lines = [((0, 0), (0, 1.2)), ((0, 1.8), (0, 3)), ((0, 3), (1.2, 3)), ((2.8, 3), (4, 3)),
         ((4, 3), (4, 1.8)), ((4, 1.2), (4, 0)), ((4, 0), (3.0, 0)), ((2.2, 0), (0, 0))]
for (x1, y1), (x2, y2) in lines:
    ax1.plot([x1, x2], [y1, y2], 'k-', lw=2)
# battery
ax1.plot([-0.4, 0.4], [1.6, 1.6], 'k-', lw=2)
ax1.plot([-0.2, 0.2], [1.4, 1.4], 'k-', lw=4)
ax1.plot([0, 0], [1.2, 1.4], 'k-', lw=2)
ax1.plot([0, 0], [1.6, 1.8], 'k-', lw=2)
ax1.text(-0.5, 1.5, 'V = 9 V', ha='right', va='center')
# resistor
ax1.add_patch(patches.Rectangle((1.2, 2.8), 1.6, 0.4, fc='white', ec='black', lw=2))
ax1.text(2.0, 3.35, 'R = 2 kΩ', ha='center')
# capacitor
ax1.plot([3.6, 4.4], [1.2, 1.2], 'k-', lw=3)
ax1.plot([3.6, 4.4], [1.8, 1.8], 'k-', lw=3)
ax1.text(4.55, 1.5, 'C = 100 μF', va='center')
# switch
ax1.plot([2.2, 2.9], [0, 0.35], 'k-', lw=2)
ax1.plot([2.2, 3.0], [0, 0], 'ko', markersize=4)
ax1.text(2.6, -0.4, 'S', ha='center')
ax1.set_xlim(-1.8, 6)
ax1.set_ylim(-0.8, 3.8)
ax1.set_aspect('equal')
ax1.axis('off')
ax1.set_title('RC charging circuit')

# Charging curve
t = np.linspace(0, 5 * tau, 300)
Vc = V0 * (1 - np.exp(-t / tau))
ax2.plot(t, Vc, 'b-', lw=2, label='$V_C(t) = V_0(1 - e^{-t/RC})$')
ax2.axhline(V0, color='gray', ls='--')
ax2.plot(tau, V0 * (1 - np.exp(-1)), 'ro')
ax2.annotate(f'τ = RC = {tau:.1f} s\nV = 0.63 V₀ = {0.632 * V0:.2f} V', xy=(tau, 0.632 * V0),
             xytext=(tau + 0.15, 3.0), arrowprops=dict(arrowstyle='->'))
ax2.set_xlabel('t (s)')
ax2.set_ylabel('$V_C$ (V)')
ax2.set_ylim(0, 10)
ax2.grid(alpha=0.3)
ax2.legend(loc='lower right')
ax2.set_title('Capacitor voltage')

plt.tight_layout()
plt.savefig('rc_circuit.png', dpi=150, bbox_inches='tight')
