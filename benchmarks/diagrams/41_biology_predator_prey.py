import numpy as np
import matplotlib.pyplot as plt

# Lotka-Volterra model: dx/dt = αx − βxy, dy/dt = δxy − γy
# α = 1.0, β = 0.1, δ = 0.075, γ = 1.5; initial rabbits x0 = 10, foxes y0 = 5.
alpha, beta, delta, gamma = 1.0, 0.1, 0.075, 1.5
dt = 0.01
steps = 2500
x = np.empty(steps)
y = np.empty(steps)
x[0], y[0] = 10.0, 5.0


def f(state):
    xx, yy = state
    return np.array([alpha * xx - beta * xx * yy, delta * xx * yy - gamma * yy])


for i in range(steps - 1):
    s = np.array([x[i], y[i]])
    k1 = f(s)
    k2 = f(s + dt / 2 * k1)
    k3 = f(s + dt / 2 * k2)
    k4 = f(s + dt * k3)
    x[i + 1], y[i + 1] = s + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)

t = np.arange(steps) * dt
fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
axes[0].plot(t, x, 'b-', label='Prey (rabbits)')
axes[0].plot(t, y, 'r-', label='Predator (foxes)')
axes[0].set_xlabel('Time (years)')
axes[0].set_ylabel('Population (thousands)')
axes[0].legend()
axes[0].set_title('Populations over time')
axes[0].grid(alpha=0.3)

axes[1].plot(x, y, 'purple')
axes[1].plot(x[0], y[0], 'ko')
axes[1].annotate('Start (x₀ = 10, y₀ = 5)', xy=(x[0], y[0]), xytext=(25, 3),
                 arrowprops=dict(arrowstyle='->'))
eq = (gamma / delta, alpha / beta)
axes[1].plot(*eq, 'g*', markersize=12)
axes[1].annotate('Equilibrium (20, 10)', xy=eq, xytext=(22, 14), arrowprops=dict(arrowstyle='->'))
axes[1].set_xlabel('Prey')
axes[1].set_ylabel('Predator')
axes[1].set_title('Phase portrait')
axes[1].grid(alpha=0.3)

fig.suptitle('Lotka–Volterra: α = 1.0, β = 0.1, δ = 0.075, γ = 1.5')
plt.tight_layout()
plt.savefig('predator_prey.png', dpi=100)
