import numpy as np
import matplotlib.pyplot as plt

# A string of length L = 1.5 m fixed at both ends vibrates in its 3rd harmonic.
# Wave speed v = 120 m/s. Mark nodes, antinodes and the wavelength.
L = 1.5
n = 3
v = 120.0
wavelength = 2 * L / n
freq = v / wavelength
A = 0.05

x = np.linspace(0, L, 500)
envelope = A * np.sin(n * np.pi * x / L)

plt.figure(figsize=(9, 4))
for phase in np.linspace(0, np.pi, 7):
    plt.plot(x, envelope * np.cos(phase), color='steelblue', alpha=0.35, lw=1)
plt.plot(x, envelope, 'b-', lw=2)
plt.plot(x, -envelope, 'b-', lw=2)
plt.axhline(0, color='black', lw=0.8)

nodes = np.arange(0, n + 1) * L / n
antinodes = (np.arange(n) + 0.5) * L / n
plt.plot(nodes, np.zeros_like(nodes), 'ro', markersize=8, label='Nodes (N)')
plt.plot(antinodes, A * np.ones_like(antinodes), 'g^', markersize=8, label='Antinodes (A)')
for xn in nodes:
    plt.text(xn, -0.012, 'N', ha='center', va='top', color='red', fontsize=10)
for xa in antinodes:
    plt.text(xa, A + 0.008, 'A', ha='center', color='green', fontsize=10)

# walls
plt.plot([0, 0], [-0.08, 0.08], 'k-', lw=5)
plt.plot([L, L], [-0.08, 0.08], 'k-', lw=5)

plt.annotate('', xy=(2 * L / n, -0.07), xytext=(0, -0.07),
             arrowprops=dict(arrowstyle='<->', color='purple'))
plt.text(L / n, -0.065, f'λ = {wavelength:.1f} m', ha='center', va='bottom', color='purple')
plt.annotate('', xy=(L, -0.095), xytext=(0, -0.095), arrowprops=dict(arrowstyle='<->'))
plt.text(L / 2, -0.09, 'L = 1.5 m', ha='center', va='bottom')

plt.title(f'Standing Wave, n = 3,  v = 120 m/s,  f = {freq:.0f} Hz')
plt.xlabel('Position x (m)')
plt.ylabel('Displacement y (m)')
plt.ylim(-0.11, 0.08)
plt.xlim(-0.1, L + 0.1)
plt.legend(loc='upper right', fontsize=9)
plt.tight_layout()
plt.savefig('standing_wave.png', dpi=150)
