import numpy as np
import matplotlib.pyplot as plt

# B-DNA double helix: 10 base pairs per turn, pitch 3.4 nm, diameter 2 nm.
# Show two turns with complementary base pairs (A–T, G–C).
pitch = 3.4
radius = 1.0
bp_per_turn = 10
turns = 2
n_bp = bp_per_turn * turns

z = np.linspace(0, pitch * turns, 400)
phase = 2 * np.pi * z / pitch
x1 = radius * np.cos(phase)
x2 = radius * np.cos(phase + np.pi * 0.8)

fig, ax = plt.subplots(figsize=(5, 8))
ax.plot(x1, z, color='#1f4e79', lw=3, label="Strand 1 (5'→3')")
ax.plot(x2, z, color='#c55a11', lw=3, label="Strand 2 (3'→5')")

seq = 'ATGCGTACCGATTGCAAGTC'
comp = {'A': 'T', 'T': 'A', 'G': 'C', 'C': 'G'}
col = {'A': '#e06666', 'T': '#6aa84f', 'G': '#3d85c6', 'C': '#f1c232'}
zb = np.linspace(0.08, pitch * turns - 0.08, n_bp)
for i, zz in enumerate(zb):
    p = 2 * np.pi * zz / pitch
    xa = radius * np.cos(p)
    xb = radius * np.cos(p + np.pi * 0.8)
    xm = (xa + xb) / 2
    b1, b2 = seq[i], comp[seq[i]]
    ax.plot([xa, xm], [zz, zz], color=col[b1], lw=4, solid_capstyle='butt')
    ax.plot([xm, xb], [zz, zz], color=col[b2], lw=4, solid_capstyle='butt')
    ax.plot([xa, xb], [zz, zz], 'o', color='gray', markersize=3)
    if abs(xa - xb) > 0.9:
        ax.text(min(xa, xb) - 0.15, zz, b1 if xa < xb else b2, fontsize=7, ha='right', va='center')
        ax.text(max(xa, xb) + 0.15, zz, b2 if xa < xb else b1, fontsize=7, ha='left', va='center')

ax.annotate('', xy=(1.9, pitch), xytext=(1.9, 0), arrowprops=dict(arrowstyle='<->'))
ax.text(2.0, pitch / 2, 'pitch = 3.4 nm\n(10 bp)', fontsize=10, va='center')
ax.annotate('', xy=(radius, -0.4), xytext=(-radius, -0.4), arrowprops=dict(arrowstyle='<->'))
ax.text(0, -0.75, 'diameter = 2 nm', ha='center', fontsize=10)
ax.text(-2.6, 0.6, '0.34 nm\nbetween\nbase pairs', fontsize=9)

handles = [plt.Line2D([], [], color=c, lw=4) for c in col.values()]
leg = ax.legend(handles, ['Adenine', 'Thymine', 'Guanine', 'Cytosine'], loc='upper left',
                fontsize=8, bbox_to_anchor=(0.0, 1.0))
ax.set_xlim(-2.8, 3.5)
ax.set_ylim(-1.0, pitch * turns + 0.3)
ax.axis('off')
ax.set_title('DNA Double Helix')
plt.savefig('dna_helix.png', dpi=120, bbox_inches='tight')
