// The batch workflow's query, shared by the web server and the workflow. Sandbox-safe.
import { defineQuery } from '@temporalio/workflow';
import type { BatchState } from '../domain/batch.js';

export const getBatchQuery = defineQuery<BatchState>('getBatch');
