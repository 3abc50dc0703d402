# The JupyterHub configuration of `make hub` and of its test (tests/browser/test_classroom_hub.py):
# a hub on 127.0.0.1 for trying the classroom set-up on one machine. `classroom/hub.py` starts
# it and passes the settings below through COURSE_HUB_* variables. docs/classroom.md says what
# changes for a real class (the authenticator, the spawner, Zero to JupyterHub).
import os
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path.insert(0, str(here))
from hub import free_port  # noqa: E402 - classroom/hub.py: ports outside the ephemeral range
state = Path(os.environ["COURSE_HUB_STATE"])  # the hub's database, cookie secret, students' homes
c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

# --- where it listens: loopback only -------------------------------------------------------
c.JupyterHub.bind_url = f"http://127.0.0.1:{os.environ['COURSE_HUB_PORT']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{os.environ['COURSE_HUB_API_PORT']}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['COURSE_HUB_PROXY_API_PORT']}"
# The proxy is the npm package pinned in classroom/package.json (`npm ci` in classroom/).
c.ConfigurableHTTPProxy.command = [str(here / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.should_start = True

c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every student's server

# --- who may log in: one shared password (a trial, never a real class) ---------------------
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = os.environ["COURSE_HUB_PASSWORD"]
c.Authenticator.allow_all = True
c.Authenticator.admin_users = {"teacher"}

# --- each student's server: a process of this machine's course environment -----------------
# SimpleLocalProcessSpawner runs every student as the hub's own user, in a home of its own:
# no isolation between students, for trying things out only.
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(state / "users" / "{username}")
c.Spawner.cmd = [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]
c.Spawner.default_url = "/lab"
c.Spawner.args = [
    # offline: no news feed, no update check
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    "--LabApp.extension_manager=readonly",
] + (["--allow-root"] if os.geteuid() == 0 else [])
# Each server's port from hub.free_port (JupyterHub's own choice is an ephemeral port, which an
# outgoing connection may take before the server binds it).
c.Spawner.pre_spawn_hook = lambda spawner: setattr(spawner, "port", free_port())
c.Spawner.start_timeout = 120  # a class logging in at once shares the CPU
c.Spawner.http_timeout = 120
c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"]

# --- a service token for driving the hub over REST (the test; a teacher's scripts) ---------
if os.environ.get("COURSE_HUB_SERVICE_TOKEN"):
    c.JupyterHub.services = [{"name": "course-admin", "api_token": os.environ["COURSE_HUB_SERVICE_TOKEN"]}]
    c.JupyterHub.load_roles = [{
        "name": "course-admin",
        "scopes": ["admin:users", "admin:servers", "access:servers"],
        "services": ["course-admin"],
    }]
