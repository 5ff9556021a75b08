import numpy as np
import matplotlib.pyplot as plt

# A population grows logistically with r = 0.3 per day, carrying capacity K = 500
# and N0 = 20. Plot N(t) and compare with exponential growth.
r, K, N0 = 0.3, 500, 20
t = np.linspace(0, 30, 300)
N = K / (1 + (K - N0) / N0 * np.exp(-r * t))
N_exp = N0 * np.exp(r * t)
t_half = np.log((K - N0) / N0) / r

plt.figure(figsize=(8, 5))
plt.plot(t, N, 'g-', lw=2.5, label='Logistic growth')
plt.plot(t[N_exp < 700], N_exp[N_exp < 700], 'r--', lw=1.5, label='Exponential growth')
plt.axhline(K, color='k', ls=':', lw=1.5)
plt.text(1, K + 15, 'Carrying capacity K = 500', fontsize=11)
plt.plot(t_half, K / 2, 'bo')
plt.annotate(f'Inflection point\nN = K/2 = 250, t ≈ {t_half:.1f} days', xy=(t_half, K / 2),
             xytext=(t_half + 3, 150), arrowprops=dict(arrowstyle='->'), fontsize=10)
plt.plot(0, N0, 'ko')
plt.text(0.5, N0 + 15, 'N₀ = 20', fontsize=10)
plt.text(20, 320, 'r = 0.3 day⁻¹', fontsize=11)
plt.xlabel('Time (days)')
plt.ylabel('Population size N')
plt.ylim(0, 650)
plt.xlim(0, 30)
plt.legend(loc='lower right')
plt.title('Logistic Population Growth')
plt.grid(alpha=0.3)
plt.savefig('diagram.png', dpi=150, bbox_inches='tight')
