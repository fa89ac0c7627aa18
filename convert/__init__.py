"""MesoNet toolchain: Keras MesoNet -> TF.js, parity checks, evaluation."""
