import numpy as np
import matplotlib.pyplot as plt

# 25.0 mL of 0.100 M HCl is titrated with 0.100 M NaOH. Sketch the pH curve.
Ca, Va = 0.100, 25.0
Cb = 0.100
Vb = np.linspace(0, 50, 1001)

n_acid = Ca * Va
n_base = Cb * Vb
Vtot = Va + Vb
excess = (n_acid - n_base) / Vtot
pH = np.where(excess > 1e-7, -np.log10(np.maximum(excess, 1e-14)), 7.0)
pH = np.where(excess < -1e-7, 14 + np.log10(np.maximum(-excess, 1e-14)), pH)

Veq = n_acid / Cb

fig, ax = plt.subplots(figsize=(8, 6))
ax.plot(Vb, pH, 'b-', lw=2)
ax.axvline(Veq, color='gray', ls='--')
ax.axhline(7, color='gray', ls=':')
ax.plot(Veq, 7, 'ro', markersize=8)
ax.annotate('Equivalence point\nV = 25.0 mL, pH = 7.00', xy=(Veq, 7), xytext=(30, 4),
            arrowprops=dict(arrowstyle='->', color='red'), fontsize=11, color='red')
ax.axhspan(8.2, 10.0, color='pink', alpha=0.4)
ax.text(42, 9.0, 'Phenolphthalein\nrange', fontsize=9, ha='center', va='center')
ax.text(2, 12.8, '25.0 mL of 0.100 M HCl\ntitrant: 0.100 M NaOH', fontsize=10,
        bbox=dict(boxstyle='round', fc='lightyellow'))
ax.set_xlabel('Volume of NaOH added (mL)')
ax.set_ylabel('pH')
ax.set_xlim(0, 50)
ax.set_ylim(0, 14)
ax.set_yticks(range(0, 15, 2))
ax.grid(alpha=0.3)
ax.set_title('Titration Curve: Strong Acid with Strong Base')
plt.savefig('titration_curve.png', dpi=150, bbox_inches='tight')
