import numpy as np
import matplotlib.pyplot as plt

# Light travels from air (n1 = 1.00) into glass (n2 = 1.50) with incidence angle 40°.
n1, n2 = 1.00, 1.50
th1 = np.radians(40)
th2 = np.arcsin(n1 * np.sin(th1) / n2)

fig, ax = plt.subplots(figsize=(6, 6))
ax.fill_between([-2, 2], -2, 0, color='lightblue', alpha=0.5)
ax.axhline(0, color='black', lw=1.5)
ax.plot([0, 0], [-2, 2], 'k--', lw=1)
ax.text(0.05, 1.85, 'Normal', fontsize=9)
ax.text(-1.9, 1.7, 'Air, n₁ = 1.00', fontsize=11)
ax.text(-1.9, -1.8, 'Glass, n₂ = 1.50', fontsize=11)

L = 1.8
ax.annotate('', xy=(0, 0), xytext=(-L * np.sin(th1), L * np.cos(th1)),
            arrowprops=dict(arrowstyle='-|>', color='red', lw=2))
ax.annotate('', xy=(L * np.sin(th2), -L * np.cos(th2)), xytext=(0, 0),
            arrowprops=dict(arrowstyle='-|>', color='red', lw=2))
# partial reflection
ax.annotate('', xy=(L * 0.7 * np.sin(th1), L * 0.7 * np.cos(th1)), xytext=(0, 0),
            arrowprops=dict(arrowstyle='-|>', color='salmon', lw=1, ls='--'))

a1 = np.linspace(np.pi / 2, np.pi / 2 + th1, 30)
ax.plot(0.5 * np.cos(a1), 0.5 * np.sin(a1), 'b-')
ax.text(-0.35, 0.6, 'θ₁ = 40°', color='blue', fontsize=11, ha='right')
a2 = np.linspace(-np.pi / 2, -np.pi / 2 + th2, 30)
ax.plot(0.6 * np.cos(a2), 0.6 * np.sin(a2), 'b-')
ax.text(0.3, -0.8, f'θ₂ = {np.degrees(th2):.1f}°', color='blue', fontsize=11)

ax.text(0.5, 1.3, 'n₁ sin θ₁ = n₂ sin θ₂', fontsize=10, bbox=dict(fc='white', ec='gray'))
ax.set_xlim(-2, 2)
ax.set_ylim(-2, 2)
ax.set_aspect('equal')
ax.set_xticks([])
ax.set_yticks([])
ax.set_title("Refraction at an Air-Glass Boundary (Snell's Law)")
plt.tight_layout()
plt.savefig('diagram.png', dpi=150, bbox_inches='tight')
