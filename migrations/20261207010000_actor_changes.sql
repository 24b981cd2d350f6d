-- Who a signed-in person is, as every process keeps it for a few seconds
-- (src/platform/auth/session-cache.ts): their session, account, memberships
-- and unread notifications. Any change to those rows, by any process, job or
-- operator's statement, names the person on the `convene_actors` channel at
-- commit, and every process forgets what it kept for them.
--
-- Row triggers: a notification fan-out touching many people names each once
-- per transaction (PostgreSQL folds identical notifications of a transaction).

CREATE FUNCTION convene_actor_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  who bigint;
BEGIN
  IF TG_TABLE_NAME = 'users' THEN
    who := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
  ELSE
    who := CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END;
    -- A row moved from one person to another concerns both.
    IF TG_OP = 'UPDATE' AND OLD.user_id IS DISTINCT FROM NEW.user_id THEN
      PERFORM pg_notify('convene_actors', OLD.user_id::text);
    END IF;
  END IF;
  PERFORM pg_notify('convene_actors', who::text);
  RETURN NULL;
END $$;

CREATE TRIGGER sessions_actor_changed AFTER UPDATE OR DELETE ON sessions
  FOR EACH ROW EXECUTE FUNCTION convene_actor_changed();
CREATE TRIGGER users_actor_changed AFTER UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION convene_actor_changed();
CREATE TRIGGER group_memberships_actor_changed AFTER INSERT OR UPDATE OR DELETE ON group_memberships
  FOR EACH ROW EXECUTE FUNCTION convene_actor_changed();
CREATE TRIGGER notifications_actor_changed AFTER INSERT OR UPDATE OR DELETE ON notifications
  FOR EACH ROW EXECUTE FUNCTION convene_actor_changed();

-- Emptying a table concerns everyone ('*').
CREATE FUNCTION convene_actors_all_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('convene_actors', '*');
  RETURN NULL;
END $$;

CREATE TRIGGER sessions_actors_truncated AFTER TRUNCATE ON sessions
  FOR EACH STATEMENT EXECUTE FUNCTION convene_actors_all_changed();
CREATE TRIGGER users_actors_truncated AFTER TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION convene_actors_all_changed();
CREATE TRIGGER group_memberships_actors_truncated AFTER TRUNCATE ON group_memberships
  FOR EACH STATEMENT EXECUTE FUNCTION convene_actors_all_changed();
CREATE TRIGGER notifications_actors_truncated AFTER TRUNCATE ON notifications
  FOR EACH STATEMENT EXECUTE FUNCTION convene_actors_all_changed();
