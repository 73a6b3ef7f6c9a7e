"""The catalogue of goods and services, its uses with the contribution each user chose, and
contributions in kind (met needs with an estimated value)."""
