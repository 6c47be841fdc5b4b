"""Initial schema, and the triggers that keep the audit trail and submitted ratings fixed.

Revision ID: 0001_initial
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = '0001_initial'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=100), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=True),
    sa.Column('hash', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    op.create_table('certification_test',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('thresholds', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('attempts >= 1', name=op.f('ck_certification_test_attempts_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certification_test')),
    sa.UniqueConstraint('name', name=op.f('uq_certification_test_name'))
    )
    op.create_table('codebook_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('codebook_id', sa.String(length=100), nullable=False),
    sa.Column('version', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('source_text', sa.Text(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codebook_version')),
    sa.UniqueConstraint('digest', name=op.f('uq_codebook_version_digest'))
    )
    op.create_table('metadata_field',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_metadata_field'))
    )
    op.create_table('rater',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('current_code', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rater'))
    )
    op.create_table('recording',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('blind_code', sa.String(length=32), nullable=True),
    sa.Column('original_name', sa.String(length=1000), nullable=False),
    sa.Column('source_path', sa.String(length=4000), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('subtype', sa.String(length=40), nullable=False),
    sa.Column('sample_rate', sa.Integer(), nullable=False),
    sa.Column('channels', sa.Integer(), nullable=False),
    sa.Column('frames', sa.BigInteger(), nullable=False),
    sa.Column('duration_s', sa.Float(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('blind_path', sa.String(length=4000), nullable=True),
    sa.Column('blind_sha256', sa.String(length=64), nullable=True),
    sa.Column('blind_size_bytes', sa.BigInteger(), nullable=True),
    sa.Column('blind_duration_s', sa.Float(), nullable=True),
    sa.Column('blind_inputs', sa.String(length=64), nullable=True),
    sa.CheckConstraint("kind IN ('study', 'gold')", name=op.f('ck_recording_kind_known')),
    sa.CheckConstraint('channels > 0', name=op.f('ck_recording_channels_positive')),
    sa.CheckConstraint('duration_s >= 0', name=op.f('ck_recording_duration_nonnegative')),
    sa.CheckConstraint('sample_rate > 0', name=op.f('ck_recording_sample_rate_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recording')),
    sa.UniqueConstraint('blind_code', name=op.f('uq_recording_blind_code')),
    sa.UniqueConstraint('sha256', name=op.f('uq_recording_sha256'))
    )
    op.create_table('workshop',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('feedback', sa.String(length=20), nullable=False),
    sa.Column('anonymise', sa.Boolean(), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("feedback IN ('after_each', 'after_set', 'none')", name=op.f('ck_workshop_feedback_known')),
    sa.CheckConstraint('id = 1', name=op.f('ck_workshop_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop'))
    )
    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recording_id', sa.Integer(), nullable=False),
    sa.Column('rater_id', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('resume_s', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('work_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('work_seq', sa.Integer(), nullable=False),
    sa.CheckConstraint("role IN ('primary', 'second', 'retest', 'gold')", name=op.f('ck_assignment_role_known')),
    sa.CheckConstraint('position >= 0', name=op.f('ck_assignment_position_nonnegative')),
    sa.ForeignKeyConstraint(['rater_id'], ['rater.id'], name=op.f('fk_assignment_rater_id_rater')),
    sa.ForeignKeyConstraint(['recording_id'], ['recording.id'], name=op.f('fk_assignment_recording_id_recording')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment')),
    sa.UniqueConstraint('rater_id', 'code', name=op.f('uq_assignment_rater_id_code')),
    sa.UniqueConstraint('rater_id', 'position', name=op.f('uq_assignment_rater_id_position')),
    sa.UniqueConstraint('recording_id', 'rater_id', 'role', name=op.f('uq_assignment_recording_id_rater_id_role'))
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_recording_id'), ['recording_id'], unique=False)

    op.create_table('certification_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('test_id', sa.Integer(), nullable=False),
    sa.Column('rater_id', sa.String(length=64), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['rater_id'], ['rater.id'], name=op.f('fk_certification_attempt_rater_id_rater')),
    sa.ForeignKeyConstraint(['test_id'], ['certification_test.id'], name=op.f('fk_certification_attempt_test_id_certification_test')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certification_attempt')),
    sa.UniqueConstraint('test_id', 'rater_id', 'number', name=op.f('uq_certification_attempt_test_id_rater_id_number'))
    )
    op.create_table('certification_recording',
    sa.Column('test_id', sa.Integer(), nullable=False),
    sa.Column('recording_id', sa.Integer(), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['recording_id'], ['recording.id'], name=op.f('fk_certification_recording_recording_id_recording')),
    sa.ForeignKeyConstraint(['test_id'], ['certification_test.id'], name=op.f('fk_certification_recording_test_id_certification_test')),
    sa.PrimaryKeyConstraint('test_id', 'recording_id', name=op.f('pk_certification_recording'))
    )
    op.create_table('codebook_dimension',
    sa.Column('codebook_version_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['codebook_version_id'], ['codebook_version.id'], name=op.f('fk_codebook_dimension_codebook_version_id_codebook_version')),
    sa.PrimaryKeyConstraint('codebook_version_id', 'dimension', name=op.f('pk_codebook_dimension'))
    )
    op.create_table('gold_moment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recording_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=32), nullable=True),
    sa.Column('time_s', sa.Float(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.CheckConstraint('time_s >= 0', name=op.f('ck_gold_moment_time_nonnegative')),
    sa.ForeignKeyConstraint(['recording_id'], ['recording.id'], name=op.f('fk_gold_moment_recording_id_recording')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gold_moment'))
    )
    with op.batch_alter_table('gold_moment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gold_moment_recording_id'), ['recording_id'], unique=False)

    op.create_table('metadata_value',
    sa.Column('recording_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['field'], ['metadata_field.name'], name=op.f('fk_metadata_value_field_metadata_field')),
    sa.ForeignKeyConstraint(['recording_id'], ['recording.id'], name=op.f('fk_metadata_value_recording_id_recording'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('recording_id', 'field', name=op.f('pk_metadata_value'))
    )
    op.create_table('pack_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rater_id', sa.String(length=64), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('pack_uuid', sa.String(length=64), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("direction IN ('issued', 'returned')", name=op.f('ck_pack_event_direction_known')),
    sa.ForeignKeyConstraint(['rater_id'], ['rater.id'], name=op.f('fk_pack_event_rater_id_rater')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pack_event'))
    )
    op.create_table('redaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recording_id', sa.Integer(), nullable=False),
    sa.Column('start_s', sa.Float(), nullable=False),
    sa.Column('end_s', sa.Float(), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.CheckConstraint("mode IN ('silence', 'tone')", name=op.f('ck_redaction_mode_known')),
    sa.CheckConstraint('start_s >= 0 AND end_s > start_s', name=op.f('ck_redaction_range_valid')),
    sa.ForeignKeyConstraint(['recording_id'], ['recording.id'], name=op.f('fk_redaction_recording_id_recording')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_redaction'))
    )
    with op.batch_alter_table('redaction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_redaction_recording_id'), ['recording_id'], unique=False)

    op.create_table('scale_value',
    sa.Column('codebook_version_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['codebook_version_id'], ['codebook_version.id'], name=op.f('fk_scale_value_codebook_version_id_codebook_version')),
    sa.PrimaryKeyConstraint('codebook_version_id', 'value', name=op.f('pk_scale_value'))
    )
    op.create_table('study',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('codebook_version_id', sa.Integer(), nullable=False),
    sa.Column('criterion', sa.String(length=100), nullable=False),
    sa.Column('secret', sa.String(length=128), nullable=False),
    sa.Column('pack_id', sa.String(length=64), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('blind_sample_rate', sa.Integer(), nullable=False),
    sa.Column('blind_channels', sa.Integer(), nullable=False),
    sa.Column('blind_lufs', sa.Float(), nullable=True),
    sa.Column('ask_guess_field', sa.String(length=100), nullable=True),
    sa.Column('guess_options', sa.Text(), nullable=True),
    sa.Column('unblinded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("mode IN ('research', 'rater')", name=op.f('ck_study_mode_known')),
    sa.ForeignKeyConstraint(['codebook_version_id'], ['codebook_version.id'], name=op.f('fk_study_codebook_version_id_codebook_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_study'))
    )
    op.create_table('certification_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('graded_by', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['certification_attempt.id'], name=op.f('fk_certification_result_attempt_id_certification_attempt')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certification_result')),
    sa.UniqueConstraint('attempt_id', name=op.f('uq_certification_result_attempt_id'))
    )
    op.create_table('consensus',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recording_id', sa.Integer(), nullable=False),
    sa.Column('codebook_version_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=32), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('who', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(trim(reason)) > 0', name=op.f('ck_consensus_reason_given')),
    sa.ForeignKeyConstraint(['codebook_version_id', 'dimension'], ['codebook_dimension.codebook_version_id', 'codebook_dimension.dimension'], name=op.f('fk_consensus_codebook_version_id_dimension_codebook_dimension')),
    sa.ForeignKeyConstraint(['codebook_version_id', 'score'], ['scale_value.codebook_version_id', 'scale_value.value'], name=op.f('fk_consensus_codebook_version_id_score_scale_value')),
    sa.ForeignKeyConstraint(['recording_id'], ['recording.id'], name=op.f('fk_consensus_recording_id_recording')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consensus'))
    )
    with op.batch_alter_table('consensus', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consensus_recording_id'), ['recording_id'], unique=False)

    op.create_table('gold_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recording_id', sa.Integer(), nullable=False),
    sa.Column('codebook_version_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=32), nullable=False),
    sa.Column('expert', sa.String(length=200), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['codebook_version_id', 'dimension'], ['codebook_dimension.codebook_version_id', 'codebook_dimension.dimension'], name=op.f('fk_gold_score_codebook_version_id_dimension_codebook_dimension')),
    sa.ForeignKeyConstraint(['codebook_version_id', 'score'], ['scale_value.codebook_version_id', 'scale_value.value'], name=op.f('fk_gold_score_codebook_version_id_score_scale_value')),
    sa.ForeignKeyConstraint(['recording_id'], ['recording.id'], name=op.f('fk_gold_score_recording_id_recording')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gold_score')),
    sa.UniqueConstraint('recording_id', 'dimension', 'expert', name=op.f('uq_gold_score_recording_id_dimension_expert'))
    )
    with op.batch_alter_table('gold_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gold_score_recording_id'), ['recording_id'], unique=False)

    op.create_table('guess',
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=100), nullable=False),
    sa.Column('guess', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_guess_assignment_id_assignment')),
    sa.PrimaryKeyConstraint('assignment_id', name=op.f('pk_guess'))
    )
    op.create_table('listening_span',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('start_s', sa.Float(), nullable=False),
    sa.Column('end_s', sa.Float(), nullable=False),
    sa.Column('speed', sa.Float(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.CheckConstraint('end_s >= start_s AND start_s >= 0', name=op.f('ck_listening_span_span_valid')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_listening_span_assignment_id_assignment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listening_span'))
    )
    with op.batch_alter_table('listening_span', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listening_span_assignment_id'), ['assignment_id'], unique=False)

    op.create_table('note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('time_s', sa.Float(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('dimension', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.CheckConstraint('time_s >= 0', name=op.f('ck_note_time_nonnegative')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_note_assignment_id_assignment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_note'))
    )
    with op.batch_alter_table('note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_note_assignment_id'), ['assignment_id'], unique=False)

    op.create_table('rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('codebook_version_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=32), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(state = 'submitted') = (submitted_at IS NOT NULL)", name=op.f('ck_rating_submitted_has_time')),
    sa.CheckConstraint("state IN ('draft', 'submitted')", name=op.f('ck_rating_state_known')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_rating_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['codebook_version_id', 'dimension'], ['codebook_dimension.codebook_version_id', 'codebook_dimension.dimension'], name=op.f('fk_rating_codebook_version_id_dimension_codebook_dimension')),
    sa.ForeignKeyConstraint(['codebook_version_id', 'score'], ['scale_value.codebook_version_id', 'scale_value.value'], name=op.f('fk_rating_codebook_version_id_score_scale_value')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating')),
    sa.UniqueConstraint('assignment_id', 'dimension', name=op.f('uq_rating_assignment_id_dimension'))
    )
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_assignment_id'), ['assignment_id'], unique=False)

    op.create_table('amendment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('codebook_version_id', sa.Integer(), nullable=False),
    sa.Column('old_score', sa.Integer(), nullable=False),
    sa.Column('new_score', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('who', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(trim(reason)) > 0', name=op.f('ck_amendment_reason_given')),
    sa.ForeignKeyConstraint(['codebook_version_id', 'new_score'], ['scale_value.codebook_version_id', 'scale_value.value'], name=op.f('fk_amendment_codebook_version_id_new_score_scale_value')),
    sa.ForeignKeyConstraint(['rating_id'], ['rating.id'], name=op.f('fk_amendment_rating_id_rating')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendment'))
    )
    with op.batch_alter_table('amendment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_amendment_rating_id'), ['rating_id'], unique=False)
    _create_guards()


# Triggers: the database itself refuses to rewrite history (rater/storage/guards.py says which).
# Until the first release they are read from that module; after it, freeze a copy here.
def _create_guards() -> None:
    from rater.storage.guards import create_guards

    create_guards(op.get_bind().dialect.name, op.execute)




def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION rater_refuse() CASCADE")
    with op.batch_alter_table('amendment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amendment_rating_id'))

    op.drop_table('amendment')
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_assignment_id'))

    op.drop_table('rating')
    with op.batch_alter_table('note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_note_assignment_id'))

    op.drop_table('note')
    with op.batch_alter_table('listening_span', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listening_span_assignment_id'))

    op.drop_table('listening_span')
    op.drop_table('guess')
    with op.batch_alter_table('gold_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gold_score_recording_id'))

    op.drop_table('gold_score')
    with op.batch_alter_table('consensus', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consensus_recording_id'))

    op.drop_table('consensus')
    op.drop_table('certification_result')
    op.drop_table('study')
    op.drop_table('scale_value')
    with op.batch_alter_table('redaction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_redaction_recording_id'))

    op.drop_table('redaction')
    op.drop_table('pack_event')
    op.drop_table('metadata_value')
    with op.batch_alter_table('gold_moment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gold_moment_recording_id'))

    op.drop_table('gold_moment')
    op.drop_table('codebook_dimension')
    op.drop_table('certification_recording')
    op.drop_table('certification_attempt')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_recording_id'))

    op.drop_table('assignment')
    op.drop_table('workshop')
    op.drop_table('recording')
    op.drop_table('rater')
    op.drop_table('metadata_field')
    op.drop_table('codebook_version')
    op.drop_table('certification_test')
    op.drop_table('audit_event')
