"""The local driver's sandbox: confinement steps a zygote applies to the workers it forks, the
same for every runtime, and the worker's init that serves its runtime server (package
downloads, a cgroup per execution). It uses nothing of a runtime server but its command line
(``launchers.py``: exec'd, or for Python pre-imported by the zygote and run by ``main(argv)``).

Standard library only. The service imports it as
``qinling_execution.orchestrators.local.qinling_sandbox`` (cgroup writer, probe); the zygote
(``zygote.py``, run as a clean ``python -I -S`` process) imports it as ``qinling_sandbox``. The
odd name keeps it from shadowing a module of a user's package in the workers that inherit it.
"""
