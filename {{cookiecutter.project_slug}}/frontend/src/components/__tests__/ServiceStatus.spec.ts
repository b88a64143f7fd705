import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import ServiceStatus from '../ServiceStatus.vue'
import { answerFetch } from './respond'

afterEach(() => vi.unstubAllGlobals())

describe('ServiceStatus', () => {
  it('lists every service of /api/health/', async () => {
    answerFetch({
      'GET /api/health/': { body: { status: 'ok', services: { database: 'ok', cache: 'ok' } } },
    })
    const wrapper = mount(ServiceStatus)
    await flushPromises()
    expect(wrapper.get('[data-testid="service-status"]').text()).toBe('All systems operational')
    expect(wrapper.findAll('li').map((item) => item.text())).toEqual(['database: ok', 'cache: ok'])
  })

  it('shows the overall status alone to callers the API lists no services for', async () => {
    answerFetch({ 'GET /api/health/': { status: 503, body: { status: 'error' } } })
    const wrapper = mount(ServiceStatus)
    await flushPromises()
    expect(wrapper.get('[data-testid="service-status"]').text()).toBe('Something is wrong')
    expect(wrapper.find('.services').exists()).toBe(false)
  })

  it('reports a failing service, which the API answers with 503', async () => {
    answerFetch({
      'GET /api/health/': {
        status: 503,
        body: { status: 'error', services: { cache: 'error: unavailable' } },
      },
    })
    const wrapper = mount(ServiceStatus)
    await flushPromises()
    expect(wrapper.get('[data-testid="service-status"]').classes()).toContain('status--error')
    expect(wrapper.get('li').text()).toBe('cache: error: unavailable')
  })
})
