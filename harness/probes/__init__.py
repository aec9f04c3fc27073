"""What Kubernetes would do with a manifest's probes, driven against the real target.

model.py: the probes read from a manifest; kubelet.py: kubelet's probe rules as a pure
state machine; drive.py: sampling the real /health at the probes' (scaled) periods
during a fault from the stack's hooks, and the timeline.
"""
