import numpy as np
import matplotlib.pyplot as plt

# n = 1 mol of ideal gas. Plot P-V isotherms at T = 300 K, 400 K and 500 K.
# Mark the state V = 10 L at T = 300 K.
R = 0.08206  # L·atm/(mol·K)
n = 1.0
V = np.linspace(2, 30, 300)

fig, ax = plt.subplots(figsize=(7, 5))
colors = {300: 'tab:blue', 400: 'tab:orange', 500: 'tab:red'}
for T, c in colors.items():
    ax.plot(V, n * R * T / V, color=c, lw=2, label=f'T = {T} K')

P_pt = n * R * 300 / 10
ax.plot(10, P_pt, 'ko')
ax.plot([10, 10], [0, P_pt], 'k:', lw=1)
ax.plot([0, 10], [P_pt, P_pt], 'k:', lw=1)
ax.annotate(f'V = 10 L\nP = {P_pt:.2f} atm', xy=(10, P_pt), xytext=(14, 5),
            arrowprops=dict(arrowstyle='->'))

ax.text(20, 10, 'PV = nRT\nn = 1 mol', fontsize=11, bbox=dict(fc='white', ec='gray'))
ax.set_xlabel('Volume V (L)')
ax.set_ylabel('Pressure P (atm)')
ax.set_xlim(0, 30)
ax.set_ylim(0, 14)
ax.legend()
ax.grid(alpha=0.3)
ax.set_title('Isotherms of an Ideal Gas')
fig.tight_layout()
fig.savefig('isotherms.png', dpi=120)
