-- Head office's own certificate authority (PEM), for a group whose head office uses a private
-- one rather than a public CA: the till trusts it beside the public ones. NULL: public CAs only.
ALTER TABLE sync_state ADD COLUMN server_ca TEXT;
