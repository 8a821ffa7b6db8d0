"""Test functions of each runtime server, as ``{path in the package: source}``: the same
behaviours (hello, echo, failures, limits) written for Python 3 and for Node.js."""

PYTHON3_FUNCTIONS = {
    "hello.py": (
        "def main(name='World', **kwargs):\n"
        "    print('Hello, ' + name)\n"
        "    return 'Hello, ' + name\n"),
    "echo.py": (
        "def arguments(*args, **kwargs):\n"
        "    return {'args': list(args), 'kwargs': kwargs}\n"),
    "failing.py": (
        "import os, signal, sys, time\n"
        "def raises():\n"
        "    raise ValueError('bad input given')\n"
        "def unserialisable():\n"
        "    return object()\n"
        "def circular():\n"
        "    loop = {}\n"
        "    loop['self'] = loop\n"
        "    return loop\n"
        "def not_a_number():\n"
        "    return float('nan')\n"
        "not_a_function = 42\n"
        "def exits():\n"
        "    os._exit(3)\n"
        "def kills_itself():\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "def out_of_memory():\n"
        "    raise MemoryError()\n"
        "def sleeps(seconds=30):\n"
        "    print('pid', os.getpid(), flush=True)\n"
        "    time.sleep(seconds)\n"
        "def noisy(size):\n"
        "    sys.stdout.write('x' * size + '\\n')\n"
        "    print('to stderr', file=sys.stderr)\n"
        "    return 'done'\n"
        "def leaves_a_process():\n"
        "    pid = os.fork()  # inherits the result pipe, unlike subprocess.Popen\n"
        "    if pid == 0:\n"
        "        time.sleep(30)\n"
        "        os._exit(0)\n"
        "    return pid\n"
        "def dies_leaving_a_process():\n"
        "    leaves_a_process()\n"
        "    os._exit(3)\n"),
    "limits.py": (
        "import resource\n"
        "def current():\n"
        "    return {'nofile': resource.getrlimit(resource.RLIMIT_NOFILE),\n"
        "            'fsize': resource.getrlimit(resource.RLIMIT_FSIZE)}\n"),
    "together.py": "def main(n):\n    return n\n",
    "main.py": "def main():\n    return 'default'\n",
    "pkg/__init__.py": "",
    "pkg/sub/__init__.py": "",
    "pkg/sub/mod.py": "def func():\n    return 'dotted'\n",
}

NODEJS_FUNCTIONS = {
    "hello.js": (
        "exports.main = (context, input) => {\n"
        "  const name = (input && input.name) || 'World';\n"
        "  console.log(`Hello, ${name}`);\n"
        "  return `Hello, ${name}`;\n"
        "};\n"),
    "echo.js": "exports.arguments = (context, input) => ({ context, input });\n",
    "failing.js": (
        "const { spawn } = require('child_process');\n"
        "exports.raises = () => { throw new Error('bad input given'); };\n"
        "exports.unserialisable = () => 10n;\n"
        "exports.circular = () => { const loop = {}; loop.self = loop; return loop; };\n"
        "exports.not_a_function = 42;\n"
        "exports.exits = () => process.exit(3);\n"
        "exports.kills_itself = () => process.kill(process.pid, 'SIGKILL');\n"
        "exports.out_of_memory = () => {\n"
        "  const kept = [];\n"
        "  for (;;) kept.push(new Array(1 << 20).fill(kept.length));\n"
        "};\n"
        "exports.sleeps = () => {\n"
        "  console.log('pid', process.pid);\n"
        "  return new Promise(() => setInterval(() => {}, 1000));\n"
        "};\n"
        "exports.noisy = (context, input) => {\n"
        "  process.stdout.write('x'.repeat(input.size) + '\\n');\n"
        "  console.error('to stderr');\n"
        "  return 'done';\n"
        "};\n"
        "const sleeper = () => spawn('sleep', ['30'], { stdio: 'ignore' });\n"
        "exports.leaves_a_process = () => sleeper().pid;\n"
        "exports.dies_leaving_a_process = () => { sleeper(); process.exit(3); };\n"),
    "limits.js": (
        "const fs = require('fs');\n"
        "const limit = (text, name) => text.split('\\n').find((l) => l.startsWith(name))\n"
        "  .slice(26).trim().split(/\\s+/).slice(0, 2).map(Number);\n"
        "exports.current = () => {\n"
        "  const text = fs.readFileSync('/proc/self/limits', 'utf8');\n"
        "  return { nofile: limit(text, 'Max open files'),\n"
        "    fsize: limit(text, 'Max file size') };\n"
        "};\n"),
    "together.js": "exports.main = (context, input) => input.n;\n",
    "later.js": ("exports.main = async (context, input) => "
                 "new Promise((resolve) => setTimeout(() => resolve(input.value), 10));\n"),
    "main.js": "exports.main = () => 'default';\n",
    "pkg/sub/mod.js": "exports.func = () => 'dotted';\n",
}

FUNCTIONS = {"python3": PYTHON3_FUNCTIONS, "nodejs": NODEJS_FUNCTIONS}
# One small module per runtime: ``{runtime: (file name, source)}`` of ``<name>.main`` -> value.
RETURNS = {"python3": ("{name}.py", "def main():\n    return {value!r}\n"),
           "nodejs": ("{name}.js", "exports.main = () => {value!r};\n")}


def returning(runtime, name, value):
    """``{file: source}`` of a module ``name`` whose ``main`` returns ``value`` (a str/int)."""
    file_name, source = RETURNS[runtime]
    return {file_name.format(name=name): source.format(value=value)}
