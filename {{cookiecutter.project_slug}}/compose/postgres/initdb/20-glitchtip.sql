-- GlitchTip, the local error tracker, keeps its data in its own database of this server,
-- owned by the project's user (see DATABASE_URL in .envs/.local/.glitchtip).
CREATE DATABASE glitchtip;
