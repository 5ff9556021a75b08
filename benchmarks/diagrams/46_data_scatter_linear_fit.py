import numpy as np
import matplotlib.pyplot as plt

# Students measured the extension of a spring for different loads.
# Fit a straight line and estimate the spring constant.
load = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0])        # N
ext = np.array([0.0, 1.1, 2.0, 3.2, 3.9, 5.1, 6.0, 7.1, 7.9])          # cm

slope, intercept = np.polyfit(load, ext, 1)
pred = slope * load + intercept
ss_res = np.sum((ext - pred) ** 2)
ss_tot = np.sum((ext - ext.mean()) ** 2)
r2 = 1 - ss_res / ss_tot
k = 1 / (slope / 100)  # N/m

plt.style.use('ggplot')
fig, ax = plt.subplots(figsize=(7, 5))
ax.errorbar(load, ext, yerr=0.2, fmt='o', color='navy', capsize=3, label='Measured data')
xx = np.linspace(0, 4.2, 50)
ax.plot(xx, slope * xx + intercept, 'r-', label=f'Fit: x = {slope:.2f}F + {intercept:.2f}')
ax.text(0.2, 7.0, f'R² = {r2:.3f}\nk ≈ {k:.0f} N/m', fontsize=11,
        bbox=dict(boxstyle='round', fc='white', ec='gray'))
ax.set_xlabel('Load F (N)')
ax.set_ylabel('Extension x (cm)')
ax.set_title("Hooke's Law Experiment")
ax.legend(loc='lower right')
plt.tight_layout()
plt.savefig('scatter_fit.png', dpi=120)
